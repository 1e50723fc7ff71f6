/* The C side of the call-path benchmarks (P1). Each function is small so the
 * measured cost is the call itself; the bodies are the same for every way of
 * calling them. */

int add2(int a, int b) { return a + b; }

double mix8(int a, double b, int c, double d, int e, double f, int g, double h)
{
    return a + b + c + d + e + f + g + h;
}

/* Twelve integer arguments: six in registers, six on the stack. */
long sum12(int a, int b, int c, int d, int e, int f,
           int g, int h, int i, int j, int k, int l)
{
    return (long)a + b + c + d + e + f + g + h + i + j + k + l;
}
