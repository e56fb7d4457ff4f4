package io.strata.mesh.gateway;

import java.util.List;

/**
 * Chat messages to a prompt for a model whose files carry no chat template of their own (a
 * model that has one gets it, through {@link JinjaChatTemplate}); such a model gets this plain one:
 * <pre>
 * System: {content}
 *
 * User: {content}
 *
 * Assistant: {content}
 *
 * Assistant:
 * </pre>
 * Each message becomes {@code "<Role>: <content>\n\n"} (roles capitalised: system, user,
 * assistant, or any other role as given), and the prompt ends with {@code "Assistant:"} for the
 * model to continue. The tokenizer adds BOS as the model expects. Generation also stops at
 * {@code "\nUser:"}, so a model that goes on to write the user's turn is cut there.
 */
public final class ChatTemplate {
    /** The implicit stop string of the plain template. */
    public static final String USER_TURN = "\nUser:";

    private ChatTemplate() {
    }

    /** One chat message. */
    public record Message(String role, String content) {
    }

    public static String render(List<Message> messages) {
        StringBuilder sb = new StringBuilder();
        for (Message m : messages) {
            sb.append(capitalise(m.role())).append(": ").append(m.content().strip()).append("\n\n");
        }
        return sb.append("Assistant:").toString();
    }

    private static String capitalise(String role) {
        return role.isEmpty() ? role : Character.toUpperCase(role.charAt(0)) + role.substring(1);
    }
}
