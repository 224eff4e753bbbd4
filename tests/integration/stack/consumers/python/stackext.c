/* stackext.probe(): the versions of zstd, lz4 and brotli, after a round trip through each. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <brotli/decode.h>
#include <brotli/encode.h>
#include <lz4.h>
#include <string.h>
#include <zstd.h>

static const char text[] = "stack prefix store runpath loader soname library program";

static PyObject *probe(PyObject *self, PyObject *args) {
    char c[256], d[256];
    size_t zl = ZSTD_compress(c, sizeof c, text, sizeof text, 3);
    if (ZSTD_isError(zl) || ZSTD_decompress(d, sizeof d, c, zl) != sizeof text || memcmp(d, text, sizeof text))
        return PyErr_Format(PyExc_RuntimeError, "zstd round trip failed");
    int ll = LZ4_compress_default(text, c, sizeof text, sizeof c);
    if (LZ4_decompress_safe(c, d, ll, sizeof d) != (int)sizeof text || memcmp(d, text, sizeof text))
        return PyErr_Format(PyExc_RuntimeError, "lz4 round trip failed");
    size_t bl = sizeof c, dl = sizeof d;
    if (!BrotliEncoderCompress(5, 22, BROTLI_MODE_TEXT, sizeof text, (const uint8_t *)text, &bl,
                               (uint8_t *)c) ||
        BrotliDecoderDecompress(bl, (const uint8_t *)c, &dl, (uint8_t *)d) !=
            BROTLI_DECODER_RESULT_SUCCESS ||
        dl != sizeof text)
        return PyErr_Format(PyExc_RuntimeError, "brotli round trip failed");
    unsigned v = BrotliDecoderVersion();
    return PyUnicode_FromFormat("zstd %s, lz4 %s, brotli %u.%u.%u", ZSTD_versionString(),
                                LZ4_versionString(), v >> 24, (v >> 12) & 0xfff, v & 0xfff);
}

static PyMethodDef methods[] = {{"probe", probe, METH_NOARGS, "round trips"}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "stackext", NULL, -1, methods};

PyMODINIT_FUNC PyInit_stackext(void) { return PyModule_Create(&module); }
