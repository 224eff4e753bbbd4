#include <stdio.h>
#include "greet.h"

const char *greet_version(void) { return "1.0"; }

void greet(const char *who) { printf("greet %s: hello, %s\n", greet_version(), who); }
