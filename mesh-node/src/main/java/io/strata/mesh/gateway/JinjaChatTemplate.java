package io.strata.mesh.gateway;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import jinjava.javax.el.CompositeELResolver;

import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model's own Jinja chat template, rendered as transformers' {@code apply_chat_template} does
 * (trim_blocks and lstrip_blocks, {@code raise_exception}, {@code strftime_now}, Python-style
 * {@code tojson} and string methods, {@code bos_token}/{@code eos_token}), by jinjava: HubSpot's
 * maintained Jinja engine for Java. Two spellings jinjava's expression parser lacks are
 * rewritten to ones it has before rendering: the reverse slice {@code [::-1]} becomes the
 * {@code reverse} filter, and keyword arguments of {@code namespace(...)} are parenthesised
 * (jinjava binds {@code =} tighter than {@code -}, so {@code n=messages|length - 1} would
 * otherwise subtract from the parameter).
 */
final class JinjaChatTemplate {
    private static final Jinjava JINJA = newEngine();
    private static final Pattern NAMESPACE_CALL = Pattern.compile("namespace\\(");

    private final String source;
    private final String bosToken;
    private final String eosToken;

    JinjaChatTemplate(String template, String bosToken, String eosToken) {
        this.source = adapt(template);
        this.bosToken = bosToken;
        this.eosToken = eosToken;
    }

    /** Raised by the template itself ({@code raise_exception}) or for a template that cannot run. */
    static final class TemplateFailure extends RuntimeException {
        TemplateFailure(String message) {
            super(message);
        }
    }

    /** The prompt for {@code messages}, ending with the assistant's header when {@code addGenerationPrompt}. */
    String render(List<ChatTemplate.Message> messages, boolean addGenerationPrompt) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (ChatTemplate.Message m : messages) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", m.role());
            map.put("content", m.content());
            list.add(map);
        }
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("messages", list);
        context.put("add_generation_prompt", addGenerationPrompt);
        context.put("bos_token", bosToken);
        context.put("eos_token", eosToken);
        RenderResult result;
        try {
            result = JINJA.renderForResult(source, context);
        } catch (RuntimeException e) {
            throw new TemplateFailure(raised(e));
        }
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                String raised = raised(error.getException());
                throw new TemplateFailure(raised != null ? raised : error.getMessage()
                        + (error.getLineno() > 0 ? " (line " + error.getLineno() + ")" : ""));
            }
        }
        return result.getOutput();
    }

    /** The message a template passed to raise_exception, when that is what failed; else null. */
    private static String raised(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TemplateRaised r) {
                return r.getMessage();
            }
        }
        return e == null ? null : e.getMessage();
    }

    /** What {@code raise_exception("...")} throws. */
    static final class TemplateRaised extends RuntimeException {
        TemplateRaised(String message) {
            super(message);
        }
    }

    public static String raiseException(String message) {
        throw new TemplateRaised(message);
    }

    /** transformers' {@code strftime_now(format)}: the local time in a C strftime format. */
    public static String strftimeNow(String format) {
        return Strftime.format(format, ZonedDateTime.now());
    }

    static String adapt(String template) {
        String s = template.replace("[::-1]", "|reverse");
        StringBuilder out = new StringBuilder(s.length() + 16);
        Matcher m = NAMESPACE_CALL.matcher(s);
        int at = 0;
        while (m.find(at)) {
            int open = m.end();
            int close = matchingParen(s, open);
            if (close < 0) {
                break;
            }
            out.append(s, at, open);
            List<String> args = topLevelArgs(s.substring(open, close));
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                int eq = keywordEquals(a);
                out.append(i > 0 ? "," : "");
                out.append(eq < 0 ? a : a.substring(0, eq + 1) + "(" + a.substring(eq + 1) + ")");
            }
            out.append(')');
            at = close + 1;
        }
        return out.append(s.substring(at)).toString();
    }

    /** Index of the ')' closing the '(' just before {@code from}, skipping quoted text; -1 if none. */
    private static int matchingParen(String s, int from) {
        int depth = 1;
        char quote = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                if (--depth == 0) {
                    return c == ')' ? i : -1;
                }
            }
        }
        return -1;
    }

    private static List<String> topLevelArgs(String s) {
        List<String> args = new ArrayList<>();
        int depth = 0;
        char quote = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (c == ',' && depth == 0) {
                args.add(s.substring(start, i));
                start = i + 1;
            }
        }
        if (start < s.length() || !args.isEmpty()) {
            args.add(s.substring(start));
        }
        return args;
    }

    /** Where {@code name=} ends a keyword argument (a single '=' after an identifier), or -1. */
    private static int keywordEquals(String arg) {
        Matcher m = Pattern.compile("^\\s*[A-Za-z_]\\w*\\s*=(?!=)").matcher(arg);
        return m.find() ? m.end() - 1 : -1;
    }

    private static Jinjava newEngine() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStringMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_WRITE);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withElResolver(resolver)
                .withFailOnUnknownTokens(false)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withParseWhitespaceControlStrictly(true)
                        .withUseTrimmingForNotesAndExpressions(true)
                        .withKeepNullableLoopValues(true)
                        .withUseNaturalOperatorPrecedence(true)
                        .build())
                .build();
        Jinjava jinja = new Jinjava(config);
        jinja.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
                JinjaChatTemplate.class, "raiseException", String.class));
        jinja.getGlobalContext().registerFunction(new ELFunctionDefinition("", "strftime_now",
                JinjaChatTemplate.class, "strftimeNow", String.class));
        jinja.getGlobalContext().registerFilter(new Filter() {
            @Override
            public String getName() {
                return "tojson";
            }

            @Override
            public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
                int indent = args.length > 0 && args[0] != null ? Integer.parseInt(args[0].strip()) : 0;
                return PythonJson.dumps(var, indent);
            }
        });
        return jinja;
    }
}
