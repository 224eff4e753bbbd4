// Calls snappy (C++), zstd, json-c and libxml2 and prints one line for each.
#include <json-c/json.h>
#include <libxml/parser.h>
#include <snappy.h>
#include <zstd.h>

#include <cstring>
#include <iostream>
#include <string>

int main() {
    const std::string text = "stack prefix store runpath loader soname library program";
    bool failed = false;

    std::string packed, unpacked;
    snappy::Compress(text.data(), text.size(), &packed);
    bool ok = snappy::Uncompress(packed.data(), packed.size(), &unpacked) && unpacked == text;
    std::cout << "snappy " << packed.size() << " bytes " << (ok ? "ok" : "FAILED") << "\n";
    failed |= !ok;

    std::string c(ZSTD_compressBound(text.size()), '\0'), d(text.size(), '\0');
    size_t cl = ZSTD_compress(&c[0], c.size(), text.data(), text.size(), 3);
    size_t dl = ZSTD_decompress(&d[0], d.size(), c.data(), cl);
    ok = !ZSTD_isError(cl) && dl == text.size() && d == text;
    std::cout << "zstd " << ZSTD_versionString() << " " << (ok ? "ok" : "FAILED") << "\n";
    failed |= !ok;

    json_object *o = json_tokener_parse("{\"stack\": \"c++\"}");
    json_object *v = nullptr;
    ok = o && json_object_object_get_ex(o, "stack", &v) &&
         std::strcmp(json_object_get_string(v), "c++") == 0;
    std::cout << "json-c " << json_c_version() << " " << (ok ? "ok" : "FAILED") << "\n";
    failed |= !ok;
    json_object_put(o);

    const char *doc = "<stack name='ldwrap'/>";
    xmlDocPtr x = xmlReadMemory(doc, static_cast<int>(std::strlen(doc)), "probe.xml", nullptr, 0);
    std::cout << "libxml2 " << xmlParserVersion << " " << (x ? "ok" : "FAILED") << "\n";
    failed |= x == nullptr;
    xmlFreeDoc(x);
    return failed ? 1 : 0;
}
