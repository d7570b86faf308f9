/* jsonfile.c — reading the JSON files of geo/ and seeds/. */
#include "core/jsonfile.h"

#include <stdio.h>

vk_err vk_json_load_file(const char *dir, const char *name, json_t **out, vk_errinfo *ei)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    json_error_t jerr;
    *out = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!*out)
        return vk_fail(ei, VK_EIO, name, "%s: %s (line %d)", path, jerr.text, jerr.line);
    return VK_OK;
}

vk_err vk_json_features(const json_t *fc, const char *name, const json_t **features,
                        vk_errinfo *ei)
{
    *features = json_object_get(fc, "features");
    if (!json_is_array(*features))
        return vk_fail(ei, VK_EVALUE, name, "%s is not a GeoJSON FeatureCollection", name);
    return VK_OK;
}
