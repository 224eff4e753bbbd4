/* Calls each stack library it was built with (HAVE_* from the Makefile) and prints one line
   per library: the version it reports and the result of a small piece of real work. */
#include <stdio.h>
#include <string.h>

#ifdef HAVE_ZLIB
#include <zlib.h>
#endif
#ifdef HAVE_LZMA
#include <lzma.h>
#endif
#ifdef HAVE_LZ4
#include <lz4.h>
#endif
#ifdef HAVE_ZSTD
#include <zstd.h>
#endif
#ifdef HAVE_BROTLI
#include <brotli/decode.h>
#include <brotli/encode.h>
#endif
#ifdef HAVE_PNG
#include <png.h>
#endif
#ifdef HAVE_EXPAT
#include <expat.h>
#endif
#ifdef HAVE_XML2
#include <libxml/parser.h>
#endif
#ifdef HAVE_FREETYPE
#include <ft2build.h>
#include FT_FREETYPE_H
#endif
#ifdef HAVE_FONTCONFIG
#include <fontconfig/fontconfig.h>
#endif
#ifdef HAVE_SQLITE
#include <sqlite3.h>
#endif
#ifdef HAVE_PCRE2
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#endif
#ifdef HAVE_JSONC
#include <json-c/json.h>
#endif
#ifdef HAVE_OPENSSL
#include <openssl/crypto.h>
#include <openssl/sha.h>
#endif
#ifdef HAVE_CURL
#include <curl/curl.h>
#endif

static const char text[] = "stack prefix store runpath loader soname library program";

int main(void) {
    int failed = 0;
#ifdef HAVE_ZLIB
    {
        unsigned char c[256], d[256];
        uLongf cl = sizeof c, dl = sizeof d;
        int ok = compress(c, &cl, (const Bytef *)text, sizeof text) == Z_OK &&
                 uncompress(d, &dl, c, cl) == Z_OK && dl == sizeof text && !memcmp(d, text, dl);
        printf("zlib %s %s\n", zlibVersion(), ok ? "ok" : "FAILED");
        failed |= !ok;
    }
#endif
#ifdef HAVE_LZMA
    printf("liblzma %s ok\n", lzma_version_string());
#endif
#ifdef HAVE_LZ4
    {
        char c[256], d[256];
        int cl = LZ4_compress_default(text, c, sizeof text, sizeof c);
        int dl = LZ4_decompress_safe(c, d, cl, sizeof d);
        int ok = dl == (int)sizeof text && !memcmp(d, text, sizeof text);
        printf("lz4 %s %s\n", LZ4_versionString(), ok ? "ok" : "FAILED");
        failed |= !ok;
    }
#endif
#ifdef HAVE_ZSTD
    {
        char c[256], d[256];
        size_t cl = ZSTD_compress(c, sizeof c, text, sizeof text, 3);
        size_t dl = ZSTD_decompress(d, sizeof d, c, cl);
        int ok = !ZSTD_isError(cl) && dl == sizeof text && !memcmp(d, text, dl);
        printf("zstd %s %s\n", ZSTD_versionString(), ok ? "ok" : "FAILED");
        failed |= !ok;
    }
#endif
#ifdef HAVE_BROTLI
    {
        uint8_t c[256], d[256];
        size_t cl = sizeof c, dl = sizeof d;
        int ok = BrotliEncoderCompress(5, 22, BROTLI_MODE_TEXT, sizeof text, (const uint8_t *)text,
                                       &cl, c) &&
                 BrotliDecoderDecompress(cl, c, &dl, d) == BROTLI_DECODER_RESULT_SUCCESS &&
                 dl == sizeof text && !memcmp(d, text, dl);
        unsigned v = BrotliDecoderVersion();
        printf("brotli %u.%u.%u %s\n", v >> 24, (v >> 12) & 0xfff, v & 0xfff, ok ? "ok" : "FAILED");
        failed |= !ok;
    }
#endif
#ifdef HAVE_PNG
    printf("libpng %s ok\n", png_get_libpng_ver(NULL));
#endif
#ifdef HAVE_EXPAT
    {
        XML_Parser p = XML_ParserCreate(NULL);
        const char *doc = "<stack><package/></stack>";
        int ok = XML_Parse(p, doc, (int)strlen(doc), 1) == XML_STATUS_OK;
        XML_ParserFree(p);
        printf("expat %s %s\n", XML_ExpatVersion(), ok ? "ok" : "FAILED");
        failed |= !ok;
    }
#endif
#ifdef HAVE_XML2
    {
        const char *doc = "<stack name='ldwrap'/>";
        xmlDocPtr x = xmlReadMemory(doc, (int)strlen(doc), "probe.xml", NULL, 0);
        printf("libxml2 %s %s\n", xmlParserVersion, x ? "ok" : "FAILED");
        failed |= x == NULL;
        xmlFreeDoc(x);
    }
#endif
#ifdef HAVE_FREETYPE
    {
        FT_Library ft;
        FT_Int a = 0, b = 0, c = 0;
        int ok = FT_Init_FreeType(&ft) == 0;
        if (ok) FT_Library_Version(ft, &a, &b, &c);
        printf("freetype %d.%d.%d %s\n", a, b, c, ok ? "ok" : "FAILED");
        failed |= !ok;
    }
#endif
#ifdef HAVE_FONTCONFIG
    {
        int v = FcGetVersion();
        printf("fontconfig %d.%d.%d ok\n", v / 10000, v / 100 % 100, v % 100);
    }
#endif
#ifdef HAVE_SQLITE
    {
        sqlite3 *db;
        int ok = sqlite3_open(":memory:", &db) == SQLITE_OK &&
                 sqlite3_exec(db, "create table t(x); insert into t values (1);", 0, 0, 0) ==
                     SQLITE_OK;
        sqlite3_close(db);
        printf("sqlite %s %s\n", sqlite3_libversion(), ok ? "ok" : "FAILED");
        failed |= !ok;
    }
#endif
#ifdef HAVE_PCRE2
    {
        int err;
        PCRE2_SIZE off;
        char v[32];
        pcre2_code *re = pcre2_compile((PCRE2_SPTR) "store (runpath|loader)", PCRE2_ZERO_TERMINATED,
                                       0, &err, &off, NULL);
        pcre2_match_data *m = re ? pcre2_match_data_create_from_pattern(re, NULL) : NULL;
        int ok = m && pcre2_match(re, (PCRE2_SPTR)text, sizeof text - 1, 0, 0, m, NULL) > 0;
        pcre2_config(PCRE2_CONFIG_VERSION, v);
        printf("pcre2 %s %s\n", v, ok ? "ok" : "FAILED");
        failed |= !ok;
    }
#endif
#ifdef HAVE_JSONC
    {
        json_object *o = json_tokener_parse("{\"stack\": [1, 2, 3]}");
        json_object *a = NULL;
        int ok = o && json_object_object_get_ex(o, "stack", &a) && json_object_array_length(a) == 3;
        printf("json-c %s %s\n", json_c_version(), ok ? "ok" : "FAILED");
        failed |= !ok;
        json_object_put(o);
    }
#endif
#ifdef HAVE_OPENSSL
    {
        unsigned char md[SHA256_DIGEST_LENGTH];
        int ok = SHA256((const unsigned char *)text, sizeof text - 1, md) != NULL;
        printf("openssl %s %s\n", OpenSSL_version(OPENSSL_VERSION), ok ? "ok" : "FAILED");
        failed |= !ok;
    }
#endif
#ifdef HAVE_CURL
    printf("curl %s ok\n", curl_version());
#endif
    return failed;
}
