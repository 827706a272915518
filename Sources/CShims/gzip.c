#include "attendify_shims.h"
#include <zlib.h>

size_t attendify_gzip_bound(size_t length) {
    // deflateBound for raw data plus the 18-byte gzip header and trailer, with slack.
    return compressBound((uLong)length) + 64;
}

size_t attendify_gzip(const unsigned char *input, size_t length, unsigned char *output, size_t capacity) {
    z_stream stream = {0};
    // windowBits 15 + 16 selects the gzip wrapper; zlib writes mtime 0 and no name unless told to.
    if (deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
        return 0;
    }
    stream.next_in = (Bytef *)input;
    stream.avail_in = (uInt)length;
    stream.next_out = output;
    stream.avail_out = (uInt)capacity;
    int status = deflate(&stream, Z_FINISH);
    size_t written = stream.total_out;
    deflateEnd(&stream);
    return status == Z_STREAM_END ? written : 0;
}
