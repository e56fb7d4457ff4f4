package io.strata.mesh.gateway;

import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

import java.beans.FeatureDescriptor;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * The Python {@code str} methods chat templates call ({@code content.startswith('<tool_response>')},
 * {@code .split('</think>')[-1].lstrip('\n')}, {@code .strip()}), which jinjava, resolving methods
 * on Java objects, does not have. Only method calls on strings are answered here; everything
 * else goes on to jinjava's own resolver.
 */
final class PythonStringMethods extends ELResolver {

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (!(base instanceof String s) || method == null) {
            return null;
        }
        Object[] args = params == null ? new Object[0] : params;
        String chars = args.length > 0 && args[0] != null ? args[0].toString() : null;
        Object result = switch (method.toString()) {
            case "startswith" -> chars != null && s.startsWith(chars);
            case "endswith" -> chars != null && s.endsWith(chars);
            case "strip" -> chars == null ? s.strip() : trailing(leading(s, chars), chars);
            case "lstrip" -> chars == null ? s.stripLeading() : leading(s, chars);
            case "rstrip" -> chars == null ? s.stripTrailing() : trailing(s, chars);
            case "split" -> split(s, chars, args.length > 1 && args[1] instanceof Number n ? n.intValue() : -1);
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "lower" -> s.toLowerCase(Locale.ROOT);
            case "title" -> title(s);
            case "capitalize" -> s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT)
                    + s.substring(1).toLowerCase(Locale.ROOT);
            case "replace" -> args.length >= 2 && args[0] != null && args[1] != null
                    ? s.replace(args[0].toString(), args[1].toString()) : null;
            case "find" -> chars == null ? null : (long) s.indexOf(chars);
            case "count" -> chars == null || chars.isEmpty() ? null : (long) (s.split(java.util.regex.Pattern.quote(chars), -1).length - 1);
            case "join" -> args.length == 1 && args[0] instanceof Iterable<?> items ? join(s, items) : null;
            case "isspace" -> !s.isEmpty() && s.isBlank();
            default -> null;
        };
        if (result != null) {
            context.setPropertyResolved(true);
        }
        return result;
    }

    private static String leading(String s, String chars) {
        int i = 0;
        while (i < s.length() && chars.indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        return s.substring(i);
    }

    private static String trailing(String s, String chars) {
        int i = s.length();
        while (i > 0 && chars.indexOf(s.charAt(i - 1)) >= 0) {
            i--;
        }
        return s.substring(0, i);
    }

    /** Python's split: by a separator (every piece kept), or by runs of white space (none empty). */
    private static List<String> split(String s, String separator, int maxSplit) {
        if (separator == null) {
            String t = s.strip();
            return t.isEmpty() ? List.of() : Arrays.asList(t.split("\\s+", maxSplit < 0 ? 0 : maxSplit + 1));
        }
        if (separator.isEmpty()) {
            return null;
        }
        return Arrays.asList(s.split(java.util.regex.Pattern.quote(separator), maxSplit < 0 ? -1 : maxSplit + 1));
    }

    private static String title(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean start = true;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(start ? Character.toUpperCase(c) : Character.toLowerCase(c));
            start = !Character.isLetter(c);
        }
        return sb.toString();
    }

    private static String join(String separator, Iterable<?> items) {
        StringBuilder sb = new StringBuilder();
        boolean first = true;
        for (Object o : items) {
            if (!first) {
                sb.append(separator);
            }
            sb.append(o);
            first = false;
        }
        return sb.toString();
    }

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
