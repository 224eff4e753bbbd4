#include <stdio.h>
int main(void) {
    puts("unused");
    return 0;
}
