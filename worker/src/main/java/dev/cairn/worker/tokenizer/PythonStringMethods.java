package dev.cairn.worker.tokenizer;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Python {@code str} methods that chat templates call on message content ({@code
 * content.startswith('<think>')}, {@code content.split('</think>')[-1].lstrip('\n')}), which a Java
 * {@code String} lacks or has with other semantics (Java's {@code split} takes a regex).
 */
final class PythonStringMethods extends ELResolver {

  @Override
  public Object invoke(
      ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
    if (!(base instanceof String s) || method == null) {
      return null;
    }
    Object[] args = params == null ? new Object[0] : params;
    Object result = call(s, method.toString(), args);
    if (result != NOT_HANDLED) {
      context.setPropertyResolved(true);
      return result;
    }
    return null;
  }

  private static final Object NOT_HANDLED = new Object();

  private static Object call(String s, String method, Object[] args) {
    return switch (method) {
      case "startswith" -> args.length == 1 && anyMatch(args[0], s::startsWith);
      case "endswith" -> args.length == 1 && anyMatch(args[0], s::endsWith);
      case "strip" -> rstrip(lstrip(s, chars(args)), chars(args));
      case "lstrip" -> lstrip(s, chars(args));
      case "rstrip" -> rstrip(s, chars(args));
      case "upper" -> s.toUpperCase(Locale.ROOT);
      case "lower" -> s.toLowerCase(Locale.ROOT);
      case "capitalize" ->
          s.isEmpty()
              ? s
              : s.substring(0, 1).toUpperCase(Locale.ROOT)
                  + s.substring(1).toLowerCase(Locale.ROOT);
      case "split" -> split(s, args);
      default -> NOT_HANDLED;
    };
  }

  private static boolean anyMatch(Object arg, java.util.function.Predicate<String> test) {
    // Python accepts a tuple of alternatives; Jinjava passes it as a list.
    if (arg instanceof List<?> options) {
      return options.stream().anyMatch(o -> o != null && test.test(o.toString()));
    }
    return arg != null && test.test(arg.toString());
  }

  /** The characters to strip; null means whitespace. */
  private static String chars(Object[] args) {
    return args.length == 0 || args[0] == null ? null : args[0].toString();
  }

  private static boolean strippable(char c, String chars) {
    return chars == null ? Character.isWhitespace(c) : chars.indexOf(c) >= 0;
  }

  private static String lstrip(String s, String chars) {
    int i = 0;
    while (i < s.length() && strippable(s.charAt(i), chars)) {
      i++;
    }
    return s.substring(i);
  }

  private static String rstrip(String s, String chars) {
    int end = s.length();
    while (end > 0 && strippable(s.charAt(end - 1), chars)) {
      end--;
    }
    return s.substring(0, end);
  }

  private static List<String> split(String s, Object[] args) {
    String sep = args.length == 0 || args[0] == null ? null : args[0].toString();
    int max = args.length > 1 && args[1] instanceof Number n ? n.intValue() : -1;
    List<String> parts = new ArrayList<>();
    if (sep == null) {
      // Python: runs of whitespace separate, leading/trailing whitespace gives no empty parts.
      for (String p : s.strip().split("\\s+", max < 0 ? 0 : max + 1)) {
        if (!p.isEmpty()) {
          parts.add(p);
        }
      }
      return parts;
    }
    if (sep.isEmpty()) {
      throw new IllegalArgumentException("empty separator");
    }
    int from = 0;
    for (int at; (max < 0 || parts.size() < max) && (at = s.indexOf(sep, from)) >= 0; ) {
      parts.add(s.substring(from, at));
      from = at + sep.length();
    }
    parts.add(s.substring(from));
    return parts;
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
    // Read-only: strings have no settable properties.
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
