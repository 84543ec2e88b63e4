package dev.trainyard.stack;

/**
 * A local-stack problem a user can act on. The message is one line: what went wrong, then what to
 * do about it.
 */
public final class StackException extends RuntimeException {
  public StackException(String cause, String whatToDo) {
    super((cause + " " + whatToDo).trim());
  }

  public StackException(String cause, String whatToDo, Throwable underlying) {
    super((cause + " " + whatToDo).trim(), underlying);
  }
}
