#include <stdio.h>

const char *own_build(void);
const char *own_path(void);

int main(void) {
    printf("own %s from %s\n", own_build(), own_path());
    return 0;
}
