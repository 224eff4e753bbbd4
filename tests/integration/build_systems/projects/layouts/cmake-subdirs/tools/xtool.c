#include <stdio.h>
#include "x.h"
int main(void) {
    printf("libx %s\nlibxcommon %s\n", x_self(), x_sibling());
    return 0;
}
