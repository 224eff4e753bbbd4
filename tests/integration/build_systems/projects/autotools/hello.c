#include <greet.h>
#include "hello.h"

void greetbase(const char *who);

void hello(void) {
    greetbase("libhello via libgreetbase");
    greet("libhello");
}
