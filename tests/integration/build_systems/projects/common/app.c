/* greet-app: uses the project's own libhello and libgreet directly. */
#include <greet.h>
#include "hello.h"

int main(void) {
    hello();
    greet("greet-app");
    return 0;
}
