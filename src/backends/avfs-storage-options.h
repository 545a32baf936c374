/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The engines' options (the [backend.NAME] tables of config.toml): what each accepts and
 * what its engine uses without it. The engines read their options through this table,
 * and the preferences window shows and checks them from it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  AVFS_OPTION_CHOICE,
  AVFS_OPTION_NUMBER,
  AVFS_OPTION_SWITCH,
} AvfsOptionKind;

/**
 * AvfsEngineOption:
 * @engine: the engine's name
 * @name: the option's key in `[backend.ENGINE]`
 * @kind: a word from @choices, a whole number from @min to @max, or true/false
 * @choices: (nullable): for %AVFS_OPTION_CHOICE, the words, %NULL-terminated
 * @fallback: what the engine uses without the option: a choice's index, the number, or
 *   0/1
 * @min: the smallest number accepted
 * @max: the largest number accepted
 */
typedef struct
{
  const char *engine;
  const char *name;
  AvfsOptionKind kind;
  const char * const *choices;
  guint64 fallback;
  guint64 min;
  guint64 max;
} AvfsEngineOption;

const AvfsEngineOption *avfs_engine_option_list  (guint                   *n_options);
const AvfsEngineOption *avfs_engine_option_find  (const char              *engine,
                                                  const char              *name);
gboolean                avfs_engine_option_parse (const AvfsEngineOption  *option,
                                                  const char              *text,
                                                  guint64                 *value,
                                                  GError                 **error);

G_END_DECLS
