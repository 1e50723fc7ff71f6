/* A small header exercising what alien-build translates. */
#ifndef ALIEN_FIXTURE_H
#define ALIEN_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#define FX_VERSION 3
#define FX_NAME "fixture"
#define FX_ERR_NOMEM (-2)

typedef unsigned char fx_byte;
typedef unsigned long fx_size;

/** Status codes. */
typedef enum fx_status {
    FX_OK = 0,
    FX_AGAIN = 1,
    FX_FAILED = -1,
} fx_status;

/** Flags, combined with `|`. */
enum fx_flags { FX_READ = 1, FX_WRITE = 2, FX_APPEND = 4 };

/** A point. */
struct fx_point {
    int32_t x;
    int32_t y;
};

/** An opaque handle. */
typedef struct fx_handle fx_handle;

/** Called once per item; a non-zero result stops the walk. */
typedef int (*fx_visit)(void *user, const char *name, int32_t value);

/** Opens a handle by name. */
fx_status fx_open(const char *name, fx_handle **out);
/** Closes it. */
void fx_close(fx_handle *h);
/** Reads up to `cap` bytes into `buf`; the count read is stored in `*len`. */
fx_status fx_read(fx_handle *h, fx_byte *buf, fx_size cap, fx_size *len);
/** Writes `len` bytes. */
long fx_write(fx_handle *h, const void *data, size_t len, unsigned flags);
/** Moves a point. */
struct fx_point fx_translate(struct fx_point p, int32_t dx, int32_t dy);
/** Walks the items. */
int fx_walk(fx_handle *h, fx_visit visit, void *user);
/** The library's version string. */
const char *fx_version(void);
/** A checksum of a byte range. */
uint32_t fx_crc(uint32_t crc, const fx_byte *buf, unsigned int len);
/** printf into the log. */
int fx_log(int level, const char *fmt, ...);
/** Aborts. */
_Noreturn void fx_abort(const char *why);
/** The last status (no rule names it: the enum alone makes it a wrapper). */
fx_status fx_last_status(void);
/** Whether a status is a failure. */
int fx_failed(fx_status s);

/** Number of open handles. */
extern int fx_open_count;
/** The name of the library. */
extern const char *fx_library_name;

#endif
