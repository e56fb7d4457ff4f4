package io.strata.cli;

import io.strata.synthetic.SyntheticModelCommand;

import java.io.PrintStream;

/**
 * {@code strata synth}: writes a synthetic model of a real shape (random weights run at the same
 * speed as trained ones). The splitter SDK owns the generator and its options, so that it works
 * without the mesh; this passes the arguments through unchanged.
 */
final class SynthCommand implements Command {
    @Override
    public String name() {
        return "synth";
    }

    @Override
    public String summary() {
        return "write a synthetic model (TinyLlama-1.1B, Llama-2-7B, Llama-3.2-1B shapes...) as GGUF or a"
                + " Hugging Face folder";
    }

    @Override
    public int execute(String[] args, PrintStream out, PrintStream err) {
        return SyntheticModelCommand.run(args, out, err);
    }
}
