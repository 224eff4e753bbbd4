#include <greet.h>

void hello(void);

int main(void) {
    hello();
    greet("greet-consumer");
    return 0;
}
