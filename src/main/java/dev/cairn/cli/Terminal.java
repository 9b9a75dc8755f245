package dev.cairn.cli;

import java.io.Console;

/** Where a confirmation is asked: the process's terminal; tests answer for the operator. */
interface Terminal {
  /** The line typed in answer to {@code question}, or null when there is no terminal to ask on. */
  String ask(String question);

  Terminal CONSOLE = question -> {
    Console console = System.console();
    if (console == null) {
      return null;
    }
    String line = console.readLine("%s", question);
    return line == null ? "" : line; // end of input: no confirmation
  };
}
