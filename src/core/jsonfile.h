/*
 * jsonfile.h — reading the JSON files of geo/ and seeds/ (reference data
 * and demo content), with errors that name the file.
 */
#ifndef VK_CORE_JSONFILE_H
#define VK_CORE_JSONFILE_H

#include <jansson.h>

#include "core/err.h"

/* Parse dir/name (duplicate keys refused) into *out, a new reference:
 * caller frees with json_decref(). VK_EIO naming the file and line. */
vk_err vk_json_load_file(const char *dir, const char *name, json_t **out, vk_errinfo *ei);
/* The features array of a FeatureCollection fc read from file name;
 * *features is borrowed from fc. VK_EVALUE when fc is none. */
vk_err vk_json_features(const json_t *fc, const char *name, const json_t **features,
                        vk_errinfo *ei);

#endif
