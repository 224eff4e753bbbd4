#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <greet.h>

static PyObject *version(PyObject *self, PyObject *args) {
    return PyUnicode_FromString(greet_version());
}

static PyMethodDef methods[] = {
    {"version", version, METH_NOARGS, "libgreet's version"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "greetext", NULL, -1, methods};

PyMODINIT_FUNC PyInit_greetext(void) { return PyModule_Create(&module); }
