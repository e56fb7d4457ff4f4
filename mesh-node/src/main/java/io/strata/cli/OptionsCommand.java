package io.strata.cli;

import java.io.PrintStream;

/** A command whose flags are declared as {@link Options}: parsing, validation and --help come from them. */
abstract class OptionsCommand implements Command {
    /** The command's declared options. */
    abstract Options options();

    /** Runs with parsed options; returns the exit code. */
    abstract int run(Options.Parsed options, PrintStream out, PrintStream err) throws Exception;

    @Override
    public final int execute(String[] args, PrintStream out, PrintStream err) throws Exception {
        Options options = options();
        Options.Parsed parsed = options.parse(args);
        if (parsed.flag("help")) {
            out.print(options.help());
            return 0;
        }
        return run(parsed, out, err);
    }
}
