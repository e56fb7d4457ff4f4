package io.strata.tokenizer;

/**
 * The kinds of vocabulary entry, numbered as GGUF's {@code tokenizer.ggml.token_type} and
 * SentencePiece number them. The kind decides how a token encodes and decodes: only NORMAL and
 * USER_DEFINED pieces are BPE merge results, CONTROL pieces print as nothing, BYTE pieces
 * stand for one raw byte.
 */
public final class TokenType {
    public static final int NORMAL = 1;
    public static final int UNKNOWN = 2;
    public static final int CONTROL = 3;
    public static final int USER_DEFINED = 4;
    public static final int UNUSED = 5;
    public static final int BYTE = 6;

    private TokenType() {
    }

    /** Whether {@code type} is one of the six kinds above. */
    public static boolean isKnown(int type) {
        return type >= NORMAL && type <= BYTE;
    }

    /** The byte a {@code <0xNN>} piece stands for, or -1 when the piece is not of that form. */
    static int byteOfPiece(String piece) {
        if (piece == null || piece.length() != 6 || !piece.startsWith("<0x") || piece.charAt(5) != '>') {
            return -1;
        }
        int hi = Character.digit(piece.charAt(3), 16);
        int lo = Character.digit(piece.charAt(4), 16);
        return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
    }
}
