package io.strata.cli;

import java.io.PrintStream;

/** One subcommand of {@code strata}. */
public interface Command {
    /** The word after {@code strata}. */
    String name();

    /** One line for the command list. */
    String summary();

    /** Runs with the arguments after the command's name; returns the exit code. */
    int execute(String[] args, PrintStream out, PrintStream err) throws Exception;
}
