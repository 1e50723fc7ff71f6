/* A foreign host for alien: a C program that dlopen()s two copies of the
 * alien-host-plugin cdylib (two files) and uses both, from its main thread
 * and from a thread it creates. Built and run by tests/tests/foreign_host.rs.
 *
 * usage: host PLUGIN_A.so PLUGIN_B.so [global]
 *
 * With `global`, both copies are loaded RTLD_GLOBAL: their symbols then
 * meet in the global scope, and each must still use its own table (alien's
 * and linkme's symbols must bind within their own copy).
 *
 * Prints `key=value` lines for the test to check, then `host: ok`; on any
 * failure prints `host: FAIL ...` and exits with status 1.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct plugin {
    const char *name;
    void *dl;
    void (*set_scale)(int);
    int (*compute)(int);
    size_t (*table_len)(void);
    size_t (*table_bound)(void);
    size_t (*entry_addr)(void);
    size_t (*data_addr)(void);
    int (*(*make_callback)(void))(int);
    size_t (*reg)(long);
    long (*lookup)(size_t);
    int (*unreg)(size_t);
};

static void fail(const char *what, const char *detail) {
    printf("host: FAIL %s: %s\n", what, detail ? detail : "");
    fflush(stdout);
    exit(1);
}

static void *sym(struct plugin *p, const char *name) {
    void *f = dlsym(p->dl, name);
    if (!f)
        fail(name, dlerror());
    return f;
}

static void load(struct plugin *p, const char *name, const char *path, int scope) {
    p->name = name;
    p->dl = dlopen(path, RTLD_NOW | scope);
    if (!p->dl)
        fail("dlopen", dlerror());
    *(void **)&p->set_scale = sym(p, "plugin_set_scale");
    *(void **)&p->compute = sym(p, "plugin_compute");
    *(void **)&p->table_len = sym(p, "plugin_table_len");
    *(void **)&p->table_bound = sym(p, "plugin_table_bound");
    *(void **)&p->entry_addr = sym(p, "plugin_entry_addr");
    *(void **)&p->data_addr = sym(p, "plugin_data_addr");
    *(void **)&p->make_callback = sym(p, "plugin_make_callback");
    *(void **)&p->reg = sym(p, "plugin_register");
    *(void **)&p->lookup = sym(p, "plugin_lookup");
    *(void **)&p->unreg = sym(p, "plugin_unregister");
    Dl_info info;
    if (!dladdr((void *)p->compute, &info))
        fail("dladdr", name);
    printf("%s.base=%p\n", name, info.dli_fbase);
    printf("%s.compute_addr=%p\n", name, (void *)p->compute);
}

static void report(struct plugin *p) {
    const char *n = p->name;
    printf("%s.table_len=%zu\n", n, p->table_len());
    printf("%s.table_bound=%zu\n", n, p->table_bound());
    printf("%s.data_addr=%#zx\n", n, p->data_addr());
    size_t entry = p->entry_addr();
    printf("%s.entry_addr=%#zx\n", n, entry);
    if (!entry)
        fail("entry", n);
    /* The table's C-callable entry of labs, called from C. */
    long (*labs_entry)(long) = (long (*)(long))entry;
    printf("%s.entry(-7)=%ld\n", n, labs_entry(-7));
    int (*cb)(int) = p->make_callback();
    if (!cb)
        fail("make_callback", n);
    printf("%s.callback(4)=%d\n", n, cb(4));
    printf("%s.compute(5)=%d\n", n, p->compute(5));
    printf("%s.compute(-12)=%d\n", n, p->compute(-12));
}

struct job {
    struct plugin *a, *b;
    size_t ha, hb;
    long got_a, got_b, sum;
};

/* Both plugins used from a thread neither of them created. */
static void *worker(void *arg) {
    struct job *j = arg;
    j->got_a = j->a->lookup(j->ha);
    j->got_b = j->b->lookup(j->hb);
    j->sum = 0;
    for (int i = 0; i < 200; i++)
        j->sum += j->a->compute(i) + j->b->compute(-i);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 3 && !(argc == 4 && strcmp(argv[3], "global") == 0)) {
        fprintf(stderr, "usage: %s PLUGIN_A.so PLUGIN_B.so [global]\n", argv[0]);
        return 2;
    }
    int scope = argc == 4 ? RTLD_GLOBAL : RTLD_LOCAL;
    printf("scope=%s\n", scope == RTLD_GLOBAL ? "global" : "local");
    struct plugin a, b;
    load(&a, "a", argv[1], scope);
    load(&b, "b", argv[2], scope);
    if (a.dl == b.dl)
        fail("two copies", "dlopen returned the same object twice");
    a.set_scale(2);
    b.set_scale(3);
    report(&a);
    report(&b);

    /* Each copy has its own handle registry: the same number can name
     * different objects in each, and unregistering in one leaves the other. */
    size_t ha = a.reg(70), hb = b.reg(90);
    printf("a.handle=%#zx\nb.handle=%#zx\n", ha, hb);
    printf("a.lookup(a.handle)=%ld\n", a.lookup(ha));
    printf("b.lookup(b.handle)=%ld\n", b.lookup(hb));

    struct job j = {&a, &b, ha, hb, 0, 0, 0};
    pthread_t t;
    if (pthread_create(&t, NULL, worker, &j) != 0)
        fail("pthread_create", "");
    long sum = 0;
    for (int i = 0; i < 200; i++)
        sum += a.compute(i) + b.compute(-i);
    if (pthread_join(t, NULL) != 0)
        fail("pthread_join", "");
    printf("thread.lookup_a=%ld\nthread.lookup_b=%ld\n", j.got_a, j.got_b);
    printf("thread.sum=%ld\nmain.sum=%ld\n", j.sum, sum);

    printf("a.unregister=%d\n", a.unreg(ha));
    printf("a.lookup_after=%ld\n", a.lookup(ha));
    printf("b.lookup_after=%ld\n", b.lookup(hb));
    printf("a.unregister_again=%d\n", a.unreg(ha));
    printf("host: ok\n");
    return 0;
}
