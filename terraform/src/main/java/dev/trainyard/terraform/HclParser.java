package dev.trainyard.terraform;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the block structure of a Terraform (HCL native syntax) file: blocks, their labels and which
 * attributes they set. Expressions are skipped, not evaluated, so the parser only has to know where
 * they end: strings with {@code ${...}} templates, heredocs, comments and bracket nesting. That is
 * all the checks need, and it keeps an HCL library (and its dependency tree) out of the build.
 */
public final class HclParser {
  private enum Kind {
    IDENT,
    STRING,
    EQUALS,
    OPEN_BRACE,
    CLOSE_BRACE,
    OPEN_OTHER,
    CLOSE_OTHER,
    NEWLINE,
    OTHER,
    EOF
  }

  /** {@code literal} is the string's value for a plain string, null for a template or heredoc. */
  private record Token(Kind kind, String text, String literal, int line) {}

  private final List<Token> tokens;
  private int next;

  private HclParser(List<Token> tokens) {
    this.tokens = tokens;
  }

  /** The top-level blocks of {@code source}; throws {@link HclSyntaxException} naming the line. */
  public static List<HclBlock> parse(String source) {
    HclParser parser = new HclParser(new Lexer(source).tokens());
    List<HclBlock> blocks = new ArrayList<>();
    List<Token> stray = new ArrayList<>();
    parser.body(blocks, new LinkedHashMap<>(), stray, true);
    if (!stray.isEmpty()) {
      throw new HclSyntaxException(stray.get(0).line(), "attributes are not allowed at top level");
    }
    return blocks;
  }

  /** Reads statements until the closing brace (or the end of the file at top level). */
  private void body(
      List<HclBlock> blocks, Map<String, String> attributes, List<Token> topLevel, boolean top) {
    while (true) {
      Token t = tokens.get(next);
      switch (t.kind()) {
        case NEWLINE -> next++;
        case EOF -> {
          if (!top) {
            throw new HclSyntaxException(t.line(), "unclosed block: '}' missing");
          }
          return;
        }
        case CLOSE_BRACE -> {
          if (top) {
            throw new HclSyntaxException(t.line(), "'}' without a block to close");
          }
          next++;
          return;
        }
        case IDENT -> statement(blocks, attributes, topLevel);
        default ->
            throw new HclSyntaxException(
                t.line(), "expected an attribute or a block, found '" + t.text() + "'");
      }
    }
  }

  private void statement(
      List<HclBlock> blocks, Map<String, String> attributes, List<Token> topLevel) {
    Token name = tokens.get(next++);
    if (tokens.get(next).kind() == Kind.EQUALS) {
      next++;
      attributes.put(name.text(), expression());
      topLevel.add(name);
      return;
    }
    List<String> labels = new ArrayList<>();
    while (tokens.get(next).kind() == Kind.STRING || tokens.get(next).kind() == Kind.IDENT) {
      Token label = tokens.get(next++);
      labels.add(label.literal() != null ? label.literal() : label.text());
    }
    Token open = tokens.get(next);
    if (open.kind() != Kind.OPEN_BRACE) {
      throw new HclSyntaxException(
          open.line(),
          "expected '=' or '{' after '" + name.text() + "', found '" + open.text() + "'");
    }
    next++;
    List<HclBlock> nested = new ArrayList<>();
    Map<String, String> own = new LinkedHashMap<>();
    body(nested, own, new ArrayList<>(), false);
    blocks.add(
        new HclBlock(name.text(), List.copyOf(labels), own, List.copyOf(nested), name.line()));
  }

  /**
   * Skips one expression: up to the end of its line, newlines inside brackets included, or to a
   * block's closing brace on the same line ({@code x { a = 1 }}). Returns its value when it is a
   * single plain string.
   */
  private String expression() {
    int depth = 0;
    int start = next;
    while (true) {
      Token t = tokens.get(next);
      switch (t.kind()) {
        case EOF -> {
          if (depth > 0) {
            throw new HclSyntaxException(t.line(), "unclosed bracket in expression");
          }
          return literalOf(start);
        }
        case OPEN_BRACE, OPEN_OTHER -> depth++;
        case CLOSE_BRACE, CLOSE_OTHER -> {
          if (depth == 0) {
            if (t.kind() == Kind.CLOSE_BRACE) {
              return literalOf(start);
            }
            throw new HclSyntaxException(t.line(), "unbalanced '" + t.text() + "'");
          }
          depth--;
        }
        case NEWLINE -> {
          if (depth == 0) {
            return literalOf(start);
          }
        }
        default -> {}
      }
      next++;
    }
  }

  private String literalOf(int start) {
    return next - start == 1 ? tokens.get(start).literal() : null;
  }

  /** Splits source text into the few token kinds the parser needs. */
  private static final class Lexer {
    private final String s;
    private final List<Token> out = new ArrayList<>();
    private int i;
    private int line = 1;

    Lexer(String source) {
      this.s = source;
    }

    List<Token> tokens() {
      while (i < s.length()) {
        char c = s.charAt(i);
        if (c == '\n') {
          add(Kind.NEWLINE, "\\n", null);
          line++;
          i++;
        } else if (c == ' ' || c == '\t' || c == '\r') {
          i++;
        } else if (c == '#' || s.startsWith("//", i)) {
          while (i < s.length() && s.charAt(i) != '\n') {
            i++;
          }
        } else if (s.startsWith("/*", i)) {
          blockComment();
        } else if (c == '"') {
          int startLine = line;
          String literal = quoted();
          out.add(new Token(Kind.STRING, "\"", literal, startLine));
        } else if (s.startsWith("<<", i) && isHeredocStart(i + 2)) {
          heredoc();
        } else if (Character.isLetter(c) || c == '_') {
          int start = i;
          while (i < s.length() && isIdentPart(s.charAt(i))) {
            i++;
          }
          add(Kind.IDENT, s.substring(start, i), null);
        } else if (c == '{') {
          add(Kind.OPEN_BRACE, "{", null);
          i++;
        } else if (c == '}') {
          add(Kind.CLOSE_BRACE, "}", null);
          i++;
        } else if (c == '[' || c == '(') {
          add(Kind.OPEN_OTHER, String.valueOf(c), null);
          i++;
        } else if (c == ']' || c == ')') {
          add(Kind.CLOSE_OTHER, String.valueOf(c), null);
          i++;
        } else if (c == '=' && !s.startsWith("==", i) && !s.startsWith("=>", i)) {
          add(Kind.EQUALS, "=", null);
          i++;
        } else if ((c == '=' || c == '!' || c == '<' || c == '>') && s.startsWith("=", i + 1)) {
          add(Kind.OTHER, s.substring(i, i + 2), null);
          i += 2;
        } else if (c == '=' && s.startsWith("=>", i)) {
          add(Kind.OTHER, "=>", null);
          i += 2;
        } else {
          add(Kind.OTHER, String.valueOf(c), null);
          i++;
        }
      }
      add(Kind.EOF, "end of file", null);
      return out;
    }

    private void add(Kind kind, String text, String literal) {
      out.add(new Token(kind, text, literal, line));
    }

    private static boolean isIdentPart(char c) {
      return Character.isLetterOrDigit(c) || c == '_' || c == '-';
    }

    private boolean isHeredocStart(int at) {
      int j = at < s.length() && s.charAt(at) == '-' ? at + 1 : at;
      return j < s.length() && (Character.isLetter(s.charAt(j)) || s.charAt(j) == '_');
    }

    private void blockComment() {
      int startLine = line;
      int end = s.indexOf("*/", i + 2);
      if (end < 0) {
        throw new HclSyntaxException(startLine, "unclosed /* comment");
      }
      for (int k = i; k < end; k++) {
        if (s.charAt(k) == '\n') {
          line++;
        }
      }
      i = end + 2;
    }

    /**
     * Reads a quoted string starting at its opening quote; returns its value, or null when it holds
     * a template ({@code ${...}} or {@code %{...}}).
     */
    private String quoted() {
      int startLine = line;
      i++;
      StringBuilder value = new StringBuilder();
      boolean template = false;
      while (true) {
        if (i >= s.length() || s.charAt(i) == '\n') {
          throw new HclSyntaxException(startLine, "unclosed string");
        }
        char c = s.charAt(i);
        if (c == '"') {
          i++;
          return template ? null : value.toString();
        }
        if (c == '\\' && i + 1 < s.length()) {
          value.append(s.charAt(i + 1));
          i += 2;
        } else if ((s.startsWith("$${", i) || s.startsWith("%%{", i))) {
          // Escaped template sequences are literal text.
          value.append(c).append('{');
          i += 3;
        } else if (s.startsWith("${", i) || s.startsWith("%{", i)) {
          template = true;
          i += 2;
          templateBody(startLine);
        } else {
          value.append(c);
          i++;
        }
      }
    }

    /** Skips a template sequence's expression up to its closing brace, nested strings included. */
    private void templateBody(int startLine) {
      int depth = 0;
      while (i < s.length()) {
        char c = s.charAt(i);
        if (c == '"') {
          quoted();
          continue;
        }
        if (c == '\n') {
          line++;
        } else if (c == '{') {
          depth++;
        } else if (c == '}') {
          if (depth == 0) {
            i++;
            return;
          }
          depth--;
        }
        i++;
      }
      throw new HclSyntaxException(startLine, "unclosed ${ in string");
    }

    /** Reads {@code <<EOT} or {@code <<-EOT} through the line that holds only the marker. */
    private void heredoc() {
      int startLine = line;
      i += 2;
      if (s.charAt(i) == '-') {
        i++;
      }
      int markerStart = i;
      while (i < s.length() && isIdentPart(s.charAt(i))) {
        i++;
      }
      String marker = s.substring(markerStart, i);
      int lineEnd = s.indexOf('\n', i);
      if (lineEnd < 0) {
        throw new HclSyntaxException(startLine, "heredoc <<" + marker + " has no body");
      }
      i = lineEnd + 1;
      line++;
      while (i < s.length()) {
        int end = s.indexOf('\n', i);
        String text = end < 0 ? s.substring(i) : s.substring(i, end);
        i = end < 0 ? s.length() : end;
        if (text.strip().equals(marker)) {
          out.add(new Token(Kind.STRING, "<<" + marker, null, startLine));
          return;
        }
        if (end >= 0) {
          i++;
          line++;
        }
      }
      throw new HclSyntaxException(startLine, "heredoc <<" + marker + " is not closed");
    }
  }
}
