/* saphan-receipt-number.h: short receipt numbers people can read out and type. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Eight Crockford base32 symbols (40 random bits) and one check symbol
 * (the value mod 37, Crockford's check alphabet), shown as "K7QM-2XD9-R". */
#define SAPHAN_RECEIPT_NUMBER_DATA_LEN 8

char     *saphan_receipt_number_new       (void);
/* Accepts what a person types: any case, with or without dashes or spaces,
 * O for 0, I and L for 1. Returns the canonical form or NULL when the check
 * symbol does not match. */
char     *saphan_receipt_number_normalize (const char *text);
gboolean  saphan_receipt_number_is_valid  (const char *text);

G_END_DECLS
