#include <greet.h>
#include "hello.h"

void hello(void) { greet("libhello"); }
