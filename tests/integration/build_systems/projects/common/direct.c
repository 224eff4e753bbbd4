/* greet-direct: uses libgreet only. */
#include <greet.h>

int main(void) {
    greet("greet-direct");
    return 0;
}
