/*
 * questions.h — a category's own questions (Open311 service definitions), as a table of question types.
 */
#ifndef VK_QUESTIONS_QUESTIONS_H
#define VK_QUESTIONS_QUESTIONS_H

#include <jansson.h>
#include "db/ctx.h"
#include "questions/store_questions.h"

/* The definitions of category (NULL = every category) as a JSON object
 * {category: [{code, datatype, required, order, description:{fi,sv,en},
 * values:[{key, name:{fi,sv,en}}] (list types only)}]}; categories without
 * questions are absent. *out is new: caller frees with json_decref(). */
vk_err api_attribute_defs(vk_ctx *ctx, const char *category, json_t **out, vk_errinfo *ei);
/* Check answers ({code: value | [values]}, or NULL) against category's
 * definitions: unknown codes, missing required answers, values outside a
 * list, numbers and date-times that are none; errors name
 * properties.attributes.CODE. Required answers are checked only with
 * check_required (imports may predate a question). *out is the normalised
 * JSON text, NULL when nothing was answered: caller frees with free(). */
vk_err api_attributes_check(vk_ctx *ctx, const char *category, const json_t *answers,
                            int check_required, char **out, vk_errinfo *ei);
/* 1 when datatype is a question type there is (string, number, datetime,
 * text, singlevaluelist, multivaluelist), 0 otherwise (and for NULL);
 * *has_values 1 for a type that offers a list of values to choose from. */
int api_question_type_known(const char *datatype, int *has_values);

#endif
