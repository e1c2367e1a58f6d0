/* saphan-demo-forms.h: the demo services a new kiosk shows.
 *
 * TEMPORARY: this reads just enough of each XForm to call
 * saphan_store_install_form(). It is to be replaced by the form engine's
 * validating install (saphan_form_install() in app/forms) once that lands.
 */
#pragma once

#include "saphan-store.h"

G_BEGIN_DECLS

/* Installs every *.xml under FORMS_DIR when STORE has never held a form.
 * Returns FALSE with ERROR set when a form cannot be read or installed;
 * OUT_N_INSTALLED counts the forms installed (0 when nothing was due). */
gboolean saphan_demo_forms_install_first_start (SaphanStore *store, const char *forms_dir,
                                                guint *out_n_installed, GError **error);

G_END_DECLS
