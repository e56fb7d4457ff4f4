package io.strata.cli;

import java.io.PrintStream;

/** One subcommand of {@code strata}. */
public interface Command {
    /** The word after {@code strata}. */
    String name();

    /** One line for the command list. */
    String summary();

    /** The command's declared options (parsing, validation and --help). */
    Options options();

    /** Runs with parsed options; returns the exit code. */
    int run(Options.Parsed options, PrintStream out, PrintStream err) throws Exception;
}
