package io.strata.cli;

import io.strata.model.ModelFormatException;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code strata} command line: dispatches to one {@link Command} and turns every failure
 * into one line on stderr and a non-zero exit. Set {@code STRATA_DEBUG=1} for stack traces.
 */
public final class Strata {
    private final Map<String, Command> commands = new LinkedHashMap<>();

    public Strata(List<Command> commands) {
        for (Command c : commands) {
            this.commands.put(c.name(), c);
        }
    }

    public static Strata standard() {
        return new Strata(List.of(
                new GenerateCommand(),
                new SplitCommand(),
                new SynthCommand(),
                new BenchCommand(),
                new NodeCommand(),
                new DemoCommand()));
    }

    public static void main(String[] args) {
        int code = standard().run(args, System.out, System.err);
        System.out.flush();
        System.exit(code);
    }

    public int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            out.print(usage());
            return args.length == 0 ? 2 : 0;
        }
        Command command = commands.get(args[0]);
        if (command == null) {
            err.println("strata: unknown command '" + args[0] + "'; commands: " + String.join(", ", commands.keySet()));
            return 2;
        }
        String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
        try {
            return command.execute(rest, out, err);
        } catch (CliException e) {
            err.println("strata " + command.name() + ": " + e.getMessage());
            return e.exitCode();
        } catch (Exception | OutOfMemoryError | StackOverflowError e) {
            err.println("strata " + command.name() + ": " + describe(e));
            if (System.getenv("STRATA_DEBUG") != null) {
                e.printStackTrace(err);
            }
            return 1;
        }
    }

    /** One line that says what went wrong, without a stack trace. */
    static String describe(Throwable e) {
        Throwable t = e;
        while ((t instanceof UncheckedIOException || t.getClass() == RuntimeException.class) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof ModelFormatException || t instanceof IllegalArgumentException
                || t instanceof IllegalStateException) {
            return t.getMessage();
        }
        if (t instanceof NoSuchFileException f) {
            return "no such file: " + f.getFile();
        }
        if (t instanceof OutOfMemoryError) {
            return "out of memory (" + t.getMessage() + "); give the JVM more with STRATA_JAVA_OPTS=-Xmx8g";
        }
        if (t instanceof IOException) {
            return "I/O error: " + t.getMessage();
        }
        String msg = t.getMessage();
        return t.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
    }

    private String usage() {
        StringBuilder sb = new StringBuilder("""
                usage: strata <command> [options]

                Strata splits large language models into layer-range splits and serves them
                across a mesh of nodes. Every command takes --help.

                commands:
                """);
        for (Command c : commands.values()) {
            sb.append(String.format("  %-16s %s%n", c.name(), c.summary()));
        }
        sb.append(String.format("  %-16s %s%n", "test", "run every test (what CI runs)"));
        return sb.toString();
    }
}
