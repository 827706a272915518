#ifndef ATTENDIFY_SHIMS_H
#define ATTENDIFY_SHIMS_H

#include <stddef.h>

/// One problem found in an HTML document: the line it is on and a human-readable message.
typedef struct {
    int line;
    char *message;
} attendify_html_problem;

/// Parses `html` with libxml2's HTML parser (no network) and collects every parser error plus the
/// safety findings a widget must never contain: <script> elements, on* event-handler attributes and
/// javascript: URLs. Unknown-tag errors for tags listed in `allowed_tags` (NULL-terminated) are
/// ignored, since libxml2 2.9 predates HTML5. Returns the number of problems; `*problems` must be
/// released with attendify_html_problems_free.
int attendify_html_check(const char *html, size_t length, const char *const *allowed_tags,
                         attendify_html_problem **problems);

void attendify_html_problems_free(attendify_html_problem *problems, int count);

/// Compresses `input` into a gzip member (deterministic: no file name, mtime 0) at the best level.
/// Returns the compressed size, or 0 on failure. `output` must hold attendify_gzip_bound(length) bytes.
size_t attendify_gzip(const unsigned char *input, size_t length, unsigned char *output, size_t capacity);

/// The largest size attendify_gzip can produce for `length` input bytes.
size_t attendify_gzip_bound(size_t length);

#endif
