/*
 * format.h — the text rules of the two feed formats, written once: XML
 * escaping for Atom (RFC 4287) and, for iCalendar (RFC 5545), TEXT
 * escaping and content lines folded at 75 octets with CRLF endings.
 * Pure functions over a vk_buf (its all-or-nothing failure applies), so
 * the unit tests drive them without a server.
 */
#ifndef VK_FEEDS_FORMAT_H
#define VK_FEEDS_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* s as XML character data or an attribute value: & < > " ' escaped, and
 * the control characters XML 1.0 cannot carry (all below 0x20 but tab,
 * line feed and carriage return) left out. NULL appends nothing. */
int feeds_xml_text(vk_buf *b, const char *s);

/* s as an iCalendar TEXT value: backslash, semicolon and comma escaped,
 * a line break as \n, other control characters left out. NULL: nothing. */
int feeds_ics_text(vk_buf *b, const char *s);

/* The content line line[0..n) folded (RFC 5545 3.1): no physical line
 * longer than 75 octets, a continuation starts with one space, a UTF-8
 * character never cut; each physical line ends in CRLF. */
int feeds_ics_fold(vk_buf *b, const char *line, size_t n);

/* "2026-01-12T06:00:00Z" (or any stamp vk_rfc3339_seconds reads) as
 * "20260112T060000Z", and "2026-05-12" as "20260512", into out (at least
 * 17 bytes). -1 (out "") when s is neither. */
int feeds_ics_datetime(const char *s, char out[17]);
int feeds_ics_date(const char *s, char out[9]);

#endif
