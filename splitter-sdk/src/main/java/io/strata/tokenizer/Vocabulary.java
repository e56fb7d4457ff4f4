package io.strata.tokenizer;

/**
 * A tokenizer's pieces, their token types and its special ids, checked the one way both
 * tokenizers need: at least one piece, none missing, one known type per piece, and each special
 * id inside the vocabulary or -1 for none.
 */
record Vocabulary(String[] pieces, byte[] types, int bos, int eos, int unk) {

    /**
     * Checks and copies. {@code tokenTypes} gives each piece's {@link TokenType}; null means every
     * piece is normal.
     */
    static Vocabulary of(String[] pieces, int[] tokenTypes, int bos, int eos, int unk) {
        if (pieces == null || pieces.length == 0) {
            throw new IllegalArgumentException("a vocabulary needs at least one piece");
        }
        int n = pieces.length;
        if (tokenTypes != null && tokenTypes.length != n) {
            throw new IllegalArgumentException("vocabulary has " + n + " pieces but " + tokenTypes.length + " token types");
        }
        byte[] types = new byte[n];
        for (int i = 0; i < n; i++) {
            if (pieces[i] == null) {
                throw new IllegalArgumentException("piece " + i + " is missing");
            }
            int type = tokenTypes == null ? TokenType.NORMAL : tokenTypes[i];
            if (!TokenType.isKnown(type)) {
                throw new IllegalArgumentException("piece " + i + " (" + pieces[i] + ") has token type " + type
                        + "; known types are 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte");
            }
            types[i] = (byte) type;
        }
        return new Vocabulary(pieces.clone(), types, checkId("bos", bos, n), checkId("eos", eos, n),
                checkId("unk", unk, n));
    }

    /** A token id given to encode's callers' methods must name a piece. */
    static void checkToken(int token, int vocabSize) {
        if (token < 0 || token >= vocabSize) {
            throw new IllegalArgumentException("token " + token + " is outside the vocabulary of " + vocabSize);
        }
    }

    /**
     * Whether a token id lies past the last piece: a model's embedding often has more rows than its
     * tokenizer has pieces (padding to a multiple of 64 or 128), and a sampled id from there has no
     * text, so it decodes to nothing rather than stopping the generation.
     */
    static boolean beyondPieces(int token, int vocabSize) {
        return token >= vocabSize;
    }

    private static int checkId(String what, int id, int n) {
        if (id < -1 || id >= n) {
            throw new IllegalArgumentException(what + " id " + id + " is outside the vocabulary of " + n
                    + " (use -1 for none)");
        }
        return id;
    }
}
