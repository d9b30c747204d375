/* Prints its arguments one per line and exits with the status given by
 * the environment variable EXIT_WITH (default 0). */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  for (int i = 1; i < argc; i++) printf("arg%d=%s\n", i, argv[i]);
  const char* code = getenv("EXIT_WITH");
  return code ? atoi(code) : 0;
}
