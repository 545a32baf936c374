/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AvfsApplication: the single-instance desktop app, its actions and the shared registry. */
#pragma once

#include <adwaita.h>

#include "avfs-registry.h"

G_BEGIN_DECLS

#define AVFS_APPLICATION_ID "io.github.avfs.Avfs"

#define AVFS_TYPE_APPLICATION (avfs_application_get_type ())
G_DECLARE_FINAL_TYPE (AvfsApplication, avfs_application, AVFS, APPLICATION, AdwApplication)

AvfsApplication *avfs_application_new          (void);
AvfsRegistry    *avfs_application_get_registry (AvfsApplication  *self,
                                                GError          **error);

G_END_DECLS
