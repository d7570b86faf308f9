/* test_survey.c — survey definitions, responses and versions (issue 11):
 * questions/types.c, survey/definition.c, survey/response.c.
 *
 * JSON is written with single quotes here (J() turns them into double
 * quotes), so texts in these tests have no apostrophes.
 *
 * `test_survey --check FILE…` checks definitions and prints one line for
 * each, "ok" or "refused CODE FIELD: message" (exit 1 when any is
 * refused): tests/http/survey-schema.test.mjs compares these verdicts with
 * the JSON Schema's.
 */
#include <stdlib.h>

#include "core/clock.h"

#include "survey/definition.h"
#include "survey/response.h"
#include "t.h"

#define FIXTURES VK_SOURCE_DIR "/tests/fixtures/surveys"

static gis_ctx *G;
static char district_codes[32][32];
static size_t n_districts;

static int64_t district_id(void *ud, const char *code)
{
    (void)ud;
    for (size_t i = 0; i < n_districts; i++)
        if (strcmp(district_codes[i], code) == 0)
            return (int64_t)i + 1;
    return 0;
}

static json_t *J(const char *text)
{
    char *s = strdup(text);
    for (char *p = s; *p; p++)
        if (*p == '\'')
            *p = '"';
    json_error_t err;
    json_t *j = json_loads(s, JSON_DECODE_ANY, &err);
    if (!j)
        printf("# bad test JSON: %s at %d: %s\n", err.text, err.position, text);
    free(s);
    return j;
}

static json_t *load(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", FIXTURES, name);
    json_error_t err;
    json_t *j = json_load_file(path, 0, &err);
    if (!j)
        printf("# cannot read %s: %s\n", path, err.text);
    return j;
}

/* The municipality and its districts from geo/, through the same GEOS
 * checks the server uses. */
static void load_geo(void)
{
    static const char *const files[] = {VK_SOURCE_DIR "/geo/boundary.geojson",
                                        VK_SOURCE_DIR "/geo/districts.geojson"};
    gis_ctx_new(&G);
    for (int f = 0; f < 2; f++) {
        json_error_t err;
        json_t *fc = json_load_file(files[f], 0, &err);
        size_t i;
        json_t *feat;
        json_array_foreach(json_object_get(fc, "features"), i, feat) {
            gis_geom *g = NULL;
            unsigned char *wkb = NULL;
            size_t n = 0;
            vk_errinfo ei;
            if (gis_geom_from_geojson(G, json_object_get(feat, "geometry"), "geometry", &g, &ei) ||
                gis_geom_to_wkb(G, g, &wkb, &n))
                printf("# cannot load %s[%zu]\n", files[f], i);
            if (f == 0) {
                gis_set_boundary(G, wkb, n, &ei);
            } else if (n_districts < 32) {
                snprintf(district_codes[n_districts], sizeof district_codes[0], "%s",
                         json_string_value(json_object_get(json_object_get(feat, "properties"),
                                                           "code")));
                n_districts++;
                gis_add_district(G, (int64_t)n_districts, wkb, n, &ei);
            }
            free(wkb);
            gis_geom_free(G, g);
        }
        json_decref(fc);
    }
}

/* ------------------------------------------------------------------ */
/* Definitions                                                         */
/* ------------------------------------------------------------------ */

static vk_err parse_def(const json_t *doc, survey_def **d, vk_errinfo *ei)
{
    vk_errinfo_clear(ei);
    *d = NULL;
    return survey_def_parse(G, doc, d, ei);
}

static void def_ok(const char *text, const char *name)
{
    json_t *doc = J(text);
    survey_def *d = NULL;
    vk_errinfo ei;
    vk_err e = parse_def(doc, &d, &ei);
    T_EQ_INT(e, VK_OK, "%s: accepted", name);
    if (e)
        printf("#   refused %s: %s\n", ei.field, ei.message);
    survey_def_free(d);
    json_decref(doc);
}

static void def_refused(const char *text, vk_err code, const char *field, const char *name)
{
    json_t *doc = J(text);
    survey_def *d = NULL;
    vk_errinfo ei;
    vk_err e = parse_def(doc, &d, &ei);
    T_EQ_INT(e, code, "%s: refused as %s (%s)", name, vk_err_code(code), ei.message);
    T_EQ_STR(ei.field, field, "%s: at %s", name, field);
    survey_def_free(d);
    json_decref(doc);
}

/* A survey of one page holding els; and of the pages given. */
#define ONE_PAGE(els) "{'slug':'s','title':{'fi':'T'},'pages':[{'key':'p','elements':[" els "]}]}"
#define PAGES(pages) "{'slug':'s','title':{'fi':'T'},'pages':[" pages "]}"
#define Q_TEXT(k) "{'key':'" k "','type':'text','text':{'fi':'Q'}}"
#define Q_CHOICE(k) "{'key':'" k "','type':'single-choice','text':{'fi':'Q'},'choices':[{'key':'a','text':{'fi':'A'}},{'key':'b','text':{'fi':'B'}}]}"
#define Q_SCALE(k) "{'key':'" k "','type':'scale','text':{'fi':'Q'},'min':1,'max':5}"
#define Q_POINTS(k) "{'key':'" k "','type':'map-point','text':{'fi':'Q'}}"
#define PLACES "'places':[{'key':'x','name':{'fi':'X'},'geometry':{'type':'Point','coordinates':[28.78,61.19]}}],"

static void test_fixtures(void)
{
    static const char *const good[] = {"safe-route-to-school.json", "neighbourhood-geobudget.json",
                                       "how-to-take-part.json"};
    for (int i = 0; i < 3; i++) {
        json_t *doc = load(good[i]);
        survey_def *d = NULL;
        vk_errinfo ei;
        vk_err e = parse_def(doc, &d, &ei);
        T_EQ_INT(e, VK_OK, "demo survey %s is accepted", good[i]);
        if (e)
            printf("#   refused %s: %s\n", ei.field, ei.message);
        survey_def_free(d);
        json_decref(doc);
    }
    json_t *doc = load("broken.json");
    survey_def *d = NULL;
    vk_errinfo ei;
    T_EQ_INT(parse_def(doc, &d, &ei), VK_EUNKNOWN_FIELD, "broken.json is refused");
    T_EQ_STR(ei.field, "colour", "first at its unknown member");
    json_object_del(doc, "colour");
    T_EQ_INT(parse_def(doc, &d, &ei), VK_EVALUE, "then at its slug");
    T_EQ_STR(ei.field, "slug", "slug");
    json_object_set_new(doc, "slug", json_string("rikki"));
    T_EQ_INT(parse_def(doc, &d, &ei), VK_EMISSING, "then at its title without Finnish");
    T_EQ_STR(ei.field, "title.fi", "title.fi");
    json_decref(doc);

    json_t *route = load("safe-route-to-school.json");
    T_OK(parse_def(route, &d, &ei) == VK_OK && d->n_elems == 16,
         "the safe-route survey indexes 12 elements and 4 follow-ups (%zu)", d ? d->n_elems : 0);
    const survey_elem *el = d ? survey_def_find(d, "what_to_fix") : NULL;
    T_EQ_STR(el ? el->path : NULL, "pages[1].elements[2].followups[2]", "a follow-up's path");
    T_OK(el && el->parent >= 0 && strcmp(d->elems[el->parent].key, "unsafe_spots") == 0,
         "a follow-up knows its map question");
    T_OK(d && d->area_wkb && d->area_len > 0 && !d->area_outside, "the survey area is kept as WKB");
    T_EQ_STR(d ? d->opens : NULL, "2026-09-01T05:00:00Z", "opens, in UTC");
    T_EQ_STR(d ? d->closes : NULL, "2026-10-31T21:59:00Z", "closes, in UTC");
    T_EQ_INT(d ? survey_def_window(d, "2026-09-01T04:59:59Z") : 9, -1, "not open a second early");
    T_EQ_INT(d ? survey_def_window(d, "2026-09-01T05:00:00Z") : 9, 0, "open from opens");
    T_EQ_INT(d ? survey_def_window(d, "2026-10-31T21:58:59Z") : 9, 0, "open until closes");
    T_EQ_INT(d ? survey_def_window(d, "2026-10-31T21:59:00Z") : 9, 1, "closed from closes");
    survey_def_free(d);
    json_decref(route);
}

static void test_def_survey_members(void)
{
    def_ok(ONE_PAGE(Q_TEXT("a")), "a minimal survey");
    def_refused("[]", VK_ETYPE, "", "an array is no survey");
    def_refused("{'title':{'fi':'T'},'pages':[{'key':'p','elements':[" Q_TEXT("a") "]}]}",
                VK_EMISSING, "slug", "no slug");
    def_refused("{'slug':'-a','title':{'fi':'T'},'pages':[{'key':'p','elements':[" Q_TEXT("a") "]}]}",
                VK_EVALUE, "slug", "a slug starting with '-'");
    def_refused("{'slug':'a_b','title':{'fi':'T'},'pages':[{'key':'p','elements':[" Q_TEXT("a") "]}]}",
                VK_EVALUE, "slug", "a slug with '_'");
    def_refused("{'slug':'s','pages':[{'key':'p','elements':[" Q_TEXT("a") "]}]}", VK_EMISSING,
                "title", "no title");
    def_refused("{'slug':'s','title':{'fi':'T','de':'T'},'pages':[{'key':'p','elements':[" Q_TEXT("a") "]}]}",
                VK_EUNKNOWN_FIELD, "title.de", "a German title");
    def_refused("{'slug':'s','title':{'fi':''},'pages':[{'key':'p','elements':[" Q_TEXT("a") "]}]}",
                VK_EVALUE, "title.fi", "an empty title");
    def_refused("{'slug':'s','title':'T','pages':[{'key':'p','elements':[" Q_TEXT("a") "]}]}",
                VK_ETYPE, "title", "a title that is not per language");
    def_refused("{'slug':'s','title':{'fi':'T'},'intro':{'sv':'I'},'pages':[{'key':'p','elements':[" Q_TEXT("a") "]}]}",
                VK_EMISSING, "intro.fi", "an intro without Finnish");
    char long_title[1024];
    snprintf(long_title, sizeof long_title,
             "{'slug':'s','title':{'fi':'T','en':'%0301d'},'pages':[{'key':'p','elements':[" Q_TEXT("a") "]}]}", 0);
    def_refused(long_title, VK_ETOO_LONG, "title.en", "a 301-character title");
    def_refused("{'slug':'s','title':{'fi':'T'},'opens':'yesterday','pages':[{'key':'p','elements':[" Q_TEXT("a") "]}]}",
                VK_EVALUE, "opens", "opens not RFC 3339");
    def_refused("{'slug':'s','title':{'fi':'T'},'opens':'2026-12-01T00:00:00Z','closes':'2026-12-01T01:00:00+02:00','pages':[{'key':'p','elements':[" Q_TEXT("a") "]}]}",
                VK_EVALUE, "closes", "closes before opens (in UTC)");
    def_refused("{'slug':'s','title':{'fi':'T'},'area_rule':'around','pages':[{'key':'p','elements':[" Q_TEXT("a") "]}]}",
                VK_EVALUE, "area_rule", "an unknown area rule");
    def_refused("{'slug':'s','title':{'fi':'T'},'area':{'type':'Point','coordinates':[28.8,61.2]},'pages':[{'key':'p','elements':[" Q_TEXT("a") "]}]}",
                VK_EGEOM_TYPE, "area", "a point as the survey area");
    def_refused("{'slug':'s','title':{'fi':'T'},'area':{'type':'Polygon','coordinates':[[[28.7,61.1],[28.9,61.3],[28.9,61.1],[28.7,61.3],[28.7,61.1]]]},'pages':[{'key':'p','elements':[" Q_TEXT("a") "]}]}",
                VK_EGEOM_INVALID, "area", "a self-intersecting survey area (GEOS)");
    def_refused("{'slug':'s','title':{'fi':'T'},'area':{'type':'Polygon','coordinates':[[[28.7,61.1],[28.9,61.1],[28.9,61.3]]]},'pages':[{'key':'p','elements':[" Q_TEXT("a") "]}]}",
                VK_EGEOM_INVALID, "area.coordinates", "an unclosed ring");
    def_ok("{'slug':'s','title':{'fi':'T'},'area':{'type':'MultiPolygon','coordinates':[[[[28.7,61.1],[28.8,61.1],[28.8,61.2],[28.7,61.1]]]]},'area_rule':'outside','pages':[{'key':'p','elements':[" Q_TEXT("a") "]}]}",
           "a MultiPolygon area with the outside rule");
    def_refused("{'slug':'s','title':{'fi':'T'},'places':[{'key':'x','name':{'fi':'X'},'geometry':{'type':'Point','coordinates':[28.78,61.19]}},{'key':'x','name':{'fi':'Y'},'geometry':{'type':'Point','coordinates':[28.78,61.19]}}],'pages':[{'key':'p','elements':[" Q_TEXT("a") "]}]}",
                VK_EVALUE, "places[1].key", "two places with one key");
    def_refused("{'slug':'s','title':{'fi':'T'},'places':[{'key':'x','name':{'fi':'X'},'geometry':{'type':'LineString','coordinates':[[28.78,61.19],[28.79,61.2]]}}],'pages':[{'key':'p','elements':[" Q_TEXT("a") "]}]}",
                VK_EGEOM_TYPE, "places[0].geometry", "a line as a place");
    def_refused("{'slug':'s','title':{'fi':'T'},'places':[{'key':'x','geometry':{'type':'Point','coordinates':[28.78,61.19]}}],'pages':[{'key':'p','elements':[" Q_TEXT("a") "]}]}",
                VK_EMISSING, "places[0].name", "a place without a name");
    def_refused("{'slug':'s','title':{'fi':'T'},'places':[{'key':'x','name':{'fi':'X'},'geometry':{'type':'Point','coordinates':[200,61.19]}}],'pages':[{'key':'p','elements':[" Q_TEXT("a") "]}]}",
                VK_EGEOM_COORD, "places[0].geometry.coordinates", "a place off the globe");
}

static void test_def_pages_and_keys(void)
{
    def_refused("{'slug':'s','title':{'fi':'T'}}", VK_EMISSING, "pages", "no pages");
    def_refused(PAGES(""), VK_EVALUE, "pages", "no pages in the array");
    def_refused(PAGES("{'key':'p','elements':[]}"), VK_ETYPE, "pages[0].elements", "a page without elements");
    def_refused(PAGES("{'key':'p','elements':[" Q_TEXT("a") "]},{'key':'p','elements':[" Q_TEXT("b") "]}"),
                VK_EVALUE, "pages[1].key", "two pages with one key");
    def_refused(PAGES("{'key':'p','help':{'fi':'H'},'elements':[" Q_TEXT("a") "]}"), VK_EUNKNOWN_FIELD,
                "pages[0].help", "an unknown page member");
    def_refused(ONE_PAGE("{'key':'Mode','type':'text','text':{'fi':'Q'}}"), VK_EVALUE,
                "pages[0].elements[0].key", "an upper-case key");
    def_refused(ONE_PAGE("{'key':'a','type':'essay','text':{'fi':'Q'}}"), VK_EVALUE,
                "pages[0].elements[0].type", "an unknown type");
    def_refused(ONE_PAGE("{'key':'a','text':{'fi':'Q'}}"), VK_EMISSING, "pages[0].elements[0].type",
                "no type");
    def_refused(ONE_PAGE("{'key':'a','type':'text'}"), VK_EMISSING, "pages[0].elements[0].text",
                "a question without its text");
    def_refused(ONE_PAGE("{'key':'a','type':'text','text':{'en':'Q'}}"), VK_EMISSING,
                "pages[0].elements[0].text.fi", "a question without Finnish");
    def_refused(ONE_PAGE("{'key':'a','type':'text','text':{'fi':'Q'},'colour':'red'}"),
                VK_EUNKNOWN_FIELD, "pages[0].elements[0].colour", "an unknown element member");
    def_refused(ONE_PAGE("{'key':'a','type':'text','text':{'fi':'Q'},'required':'yes'}"), VK_ETYPE,
                "pages[0].elements[0].required", "required that is not a boolean");
    def_refused(PAGES("{'key':'p','elements':[" Q_TEXT("a") "]},{'key':'q','elements':[" Q_TEXT("b") "," Q_TEXT("a") "]}"),
                VK_EVALUE, "pages[1].elements[1].key", "an element key used on an earlier page");
    def_refused(ONE_PAGE(Q_TEXT("why") ",{'key':'m','type':'map-point','text':{'fi':'Q'},'followups':[" Q_TEXT("why") "]}"),
                VK_EVALUE, "pages[0].elements[1].followups[0].key",
                "a follow-up key that is already a question");
    /* the example path of the issue: page 1, element 3, choice 2 */
    def_refused(PAGES("{'key':'p','elements':[" Q_TEXT("a") "]},{'key':'q','elements':[" Q_TEXT("b") "," Q_TEXT("c") "," Q_TEXT("d") ","
                      "{'key':'e','type':'multi-choice','text':{'fi':'Q'},'choices':[{'key':'x','text':{'fi':'X'}},{'key':'y','text':{'fi':'Y'}},{'key':'x','text':{'fi':'Z'}}]}]}"),
                VK_EVALUE, "pages[1].elements[3].choices[2].key", "a choice key used twice");
    def_refused(ONE_PAGE("{'key':'a','type':'single-choice','text':{'fi':'Q'},'choices':[]}"), VK_EVALUE,
                "pages[0].elements[0].choices", "no choices");
    def_refused(ONE_PAGE("{'key':'a','type':'single-choice','text':{'fi':'Q'},'choices':[{'key':'x'}]}"),
                VK_EMISSING, "pages[0].elements[0].choices[0].text", "a choice without its text");
    def_refused(ONE_PAGE("{'key':'a','type':'single-choice','text':{'fi':'Q'},'choices':[{'key':'x','text':{'fi':'X'}}],'max_picks':2}"),
                VK_EUNKNOWN_FIELD, "pages[0].elements[0].max_picks", "picks on a single choice");
    def_refused(ONE_PAGE("{'key':'a','type':'multi-choice','text':{'fi':'Q'},'choices':[{'key':'x','text':{'fi':'X'}},{'key':'y','text':{'fi':'Y'}}],'min_picks':2,'max_picks':1}"),
                VK_EVALUE, "pages[0].elements[0].min_picks", "min_picks above max_picks");
    def_refused(ONE_PAGE("{'key':'a','type':'multi-choice','text':{'fi':'Q'},'choices':[{'key':'x','text':{'fi':'X'}}],'max_picks':3}"),
                VK_EVALUE, "pages[0].elements[0].max_picks", "more picks than choices");
    def_refused(ONE_PAGE("{'key':'a','type':'scale','text':{'fi':'Q'},'min':2,'max':5}"), VK_EVALUE,
                "pages[0].elements[0].min", "a scale from 2");
    def_refused(ONE_PAGE("{'key':'a','type':'scale','text':{'fi':'Q'},'min':1}"), VK_EMISSING,
                "pages[0].elements[0].max", "a scale without its max");
    def_refused(ONE_PAGE("{'key':'a','type':'scale','text':{'fi':'Q'},'min':1,'max':5,'min_label':{'sv':'L'}}"),
                VK_EMISSING, "pages[0].elements[0].min_label.fi", "a scale label without Finnish");
    def_refused(ONE_PAGE("{'key':'a','type':'number','text':{'fi':'Q'},'min':10,'max':1}"), VK_EVALUE,
                "pages[0].elements[0].min", "a number min above max");
    def_refused(ONE_PAGE("{'key':'a','type':'number','text':{'fi':'Q'},'max':'ten'}"), VK_ETYPE,
                "pages[0].elements[0].max", "a number max that is text");
    def_refused(ONE_PAGE("{'key':'a','type':'text','text':{'fi':'Q'},'max_length':0}"), VK_EVALUE,
                "pages[0].elements[0].max_length", "a text of at most 0 characters");
    def_refused(ONE_PAGE("{'key':'a','type':'date','text':{'fi':'Q'},'min':'2026-02-30'}"), VK_EVALUE,
                "pages[0].elements[0].min", "a date min that is no date");
    def_refused(ONE_PAGE("{'key':'a','type':'date','text':{'fi':'Q'},'min':'2027-01-01','max':'2026-01-01'}"),
                VK_EVALUE, "pages[0].elements[0].min", "a date min after max");
    def_refused(ONE_PAGE("{'key':'a','type':'ranking','text':{'fi':'Q'},'choices':[{'key':'x','text':{'fi':'X'}}],'rank_all':1}"),
                VK_ETYPE, "pages[0].elements[0].rank_all", "rank_all not a boolean");
    def_refused(ONE_PAGE("{'key':'a','type':'matrix','text':{'fi':'Q'},'rows':[{'key':'x','text':{'fi':'X'}}]}"),
                VK_EMISSING, "pages[0].elements[0].columns", "a matrix without columns");
    def_refused(ONE_PAGE("{'key':'a','type':'consent','text':{'fi':'Q'},'personal':['nobody']}"), VK_EVALUE,
                "pages[0].elements[0].personal[0]", "a consent naming no question");
    def_ok(ONE_PAGE("{'key':'a','type':'consent','text':{'fi':'Q'},'personal':['b']}," Q_TEXT("b")),
           "a consent naming a later question");
    def_refused(ONE_PAGE("{'key':'a','type':'consent','text':{'fi':'Q'},'personal':['b']},{'key':'m','type':'map-point','text':{'fi':'Q'},'followups':[" Q_TEXT("b") "]}"),
                VK_EVALUE, "pages[0].elements[0].personal[0]", "a consent naming a follow-up");
}

static void test_def_map_place_budget(void)
{
    def_refused(ONE_PAGE("{'key':'m','type':'map-point','text':{'fi':'Q'},'min_features':5,'max_features':2}"),
                VK_EVALUE, "pages[0].elements[0].min_features", "min_features above max_features");
    def_refused(ONE_PAGE("{'key':'m','type':'map-line','text':{'fi':'Q'},'max_features':51}"), VK_EVALUE,
                "pages[0].elements[0].max_features", "more than 50 features");
    def_refused(ONE_PAGE("{'key':'m','type':'map-area','text':{'fi':'Q'},'followups':[" Q_POINTS("n") "]}"),
                VK_EVALUE, "pages[0].elements[0].followups[0].type", "a map question as a follow-up");
    def_refused(ONE_PAGE("{'key':'m','type':'map-area','text':{'fi':'Q'},'followups':[{'key':'i','type':'info','text':{'fi':'I'}}]}"),
                VK_EVALUE, "pages[0].elements[0].followups[0].type", "info as a follow-up");
    def_refused(ONE_PAGE("{'key':'m','type':'map-area','text':{'fi':'Q'},'followups':{'key':'n'}}"), VK_ETYPE,
                "pages[0].elements[0].followups", "follow-ups not an array");
    def_refused(ONE_PAGE("{'key':'m','type':'map-area','text':{'fi':'Q'},'followups':[{'key':'n','type':'scale','text':{'fi':'Q'},'min':0,'max':99}]}"),
                VK_EVALUE, "pages[0].elements[0].followups[0].max", "a follow-up checked as any question");
    def_refused(ONE_PAGE("{'key':'c','type':'place-choice','text':{'fi':'Q'}}"), VK_EVALUE,
                "pages[0].elements[0].type", "a place choice in a survey without places");
    def_refused("{'slug':'s','title':{'fi':'T'}," PLACES "'pages':[{'key':'p','elements':[{'key':'c','type':'place-choice','text':{'fi':'Q'},'places':['x','y']}]}]}",
                VK_EVALUE, "pages[0].elements[0].places[1]", "a place choice offering an unknown place");
    def_refused("{'slug':'s','title':{'fi':'T'}," PLACES "'pages':[{'key':'p','elements':[{'key':'c','type':'place-choice','text':{'fi':'Q'},'max_picks':2}]}]}",
                VK_EVALUE, "pages[0].elements[0].max_picks", "more picks than places");
#define BUDGET(total, items) ONE_PAGE("{'key':'b','type':'budget','text':{'fi':'Q'}," total "'items':[" items "]}")
#define ITEM(k, rest) "{'key':'" k "','text':{'fi':'I'}" rest "}"
    def_ok(BUDGET("'total':100,", ITEM("a", ",'cost':50,'max_count':2")), "a budget");
    def_refused(BUDGET("", ITEM("a", ",'cost':50")), VK_EMISSING, "pages[0].elements[0].total",
                "a budget without its total");
    def_refused(BUDGET("'total':0,", ITEM("a", ",'cost':50")), VK_EVALUE, "pages[0].elements[0].total",
                "a budget of 0");
    def_refused(BUDGET("'total':100,'currency':'eur',", ITEM("a", ",'cost':50")), VK_EVALUE,
                "pages[0].elements[0].currency", "a lower-case currency");
    def_refused(BUDGET("'total':100,", ITEM("a", ",'cost':0")), VK_EVALUE,
                "pages[0].elements[0].items[0].cost", "an item that costs nothing");
    def_refused(BUDGET("'total':100,", ITEM("a", "")), VK_EMISSING,
                "pages[0].elements[0].items[0].cost", "an item without its cost");
    def_refused(BUDGET("'total':100,", ITEM("a", ",'cost':101")), VK_EVALUE,
                "pages[0].elements[0].items[0].cost", "an item dearer than the budget");
    def_refused(BUDGET("'total':100,", ITEM("a", ",'cost':10") "," ITEM("a", ",'cost':20")), VK_EVALUE,
                "pages[0].elements[0].items[1].key", "two items with one key");
    def_refused(BUDGET("'total':100,", ITEM("a", ",'cost':10,'max_count':0")), VK_EVALUE,
                "pages[0].elements[0].items[0].max_count", "an item chosen at most 0 times");
    def_refused(ONE_PAGE("{'key':'b','type':'geobudget','text':{'fi':'Q'},'total':100}"), VK_EMISSING,
                "pages[0].elements[0].items", "a geobudget without items");
    def_refused(ONE_PAGE("{'key':'i','type':'info','text':{'fi':'I'},'image':{'src':'http://x.fi/a.png','alt':{'fi':'A'}}}"),
                VK_EVALUE, "pages[0].elements[0].image.src", "an image over plain http");
    def_refused(ONE_PAGE("{'key':'i','type':'info','text':{'fi':'I'},'image':{'src':'/media/a.png'}}"),
                VK_EMISSING, "pages[0].elements[0].image.alt", "an image without alt text");
    def_refused(ONE_PAGE("{'key':'i','type':'info','text':{'fi':'I'},'required':true}"), VK_EUNKNOWN_FIELD,
                "pages[0].elements[0].required", "info is never required");
    def_refused(ONE_PAGE("{'key':'h','type':'section'}"), VK_EMISSING, "pages[0].elements[0].text",
                "a section without its heading");
}

static void test_def_conditions(void)
{
#define IF(cond) "'show_if':" cond
    def_ok(ONE_PAGE(Q_CHOICE("c") ",{'key':'t','type':'text','text':{'fi':'Q'}," IF("{'question':'c','op':'chosen','value':'a'}") "}"),
           "a condition on an earlier choice");
    def_refused(ONE_PAGE("{'key':'t','type':'text','text':{'fi':'Q'}," IF("{'question':'c','op':'chosen','value':'a'}") "}," Q_CHOICE("c")),
                VK_EVALUE, "pages[0].elements[0].show_if.question", "a condition on a later question");
    def_refused(ONE_PAGE("{'key':'c','type':'scale','text':{'fi':'Q'},'min':1,'max':5," IF("{'question':'c','op':'ge','value':2}") "}"),
                VK_EVALUE, "pages[0].elements[0].show_if.question", "a condition on itself");
    def_refused(ONE_PAGE("{'key':'t','type':'text','text':{'fi':'Q'}," IF("{'question':'nobody','op':'chosen','value':'a'}") "}"),
                VK_EVALUE, "pages[0].elements[0].show_if.question", "a condition on no question");
    def_refused(ONE_PAGE("{'key':'i','type':'info','text':{'fi':'I'}},{'key':'t','type':'text','text':{'fi':'Q'}," IF("{'question':'i','op':'chosen','value':'a'}") "}"),
                VK_EVALUE, "pages[0].elements[1].show_if.question", "a condition on an info element");
    def_refused(ONE_PAGE(Q_CHOICE("c") ",{'key':'t','type':'text','text':{'fi':'Q'}," IF("{'question':'c','op':'chosen','value':'z'}") "}"),
                VK_EVALUE, "pages[0].elements[1].show_if.value", "a condition on a choice that does not exist");
    def_refused(ONE_PAGE(Q_CHOICE("c") ",{'key':'t','type':'text','text':{'fi':'Q'}," IF("{'question':'c','op':'ge','value':2}") "}"),
                VK_EVALUE, "pages[0].elements[1].show_if.op", "a number comparison on a choice");
    def_refused(ONE_PAGE(Q_SCALE("s") ",{'key':'t','type':'text','text':{'fi':'Q'}," IF("{'question':'s','op':'chosen','value':'a'}") "}"),
                VK_EVALUE, "pages[0].elements[1].show_if.op", "chosen on a scale");
    def_refused(ONE_PAGE(Q_SCALE("s") ",{'key':'t','type':'text','text':{'fi':'Q'}," IF("{'question':'s','op':'ge','value':'3'}") "}"),
                VK_ETYPE, "pages[0].elements[1].show_if.value", "a number comparison with text");
    def_refused(ONE_PAGE(Q_TEXT("x") ",{'key':'t','type':'text','text':{'fi':'Q'}," IF("{'question':'x','op':'eq','value':3}") "}"),
                VK_EVALUE, "pages[0].elements[1].show_if.op", "a condition on a text answer");
    def_refused(ONE_PAGE(Q_POINTS("m") ",{'key':'t','type':'text','text':{'fi':'Q'}," IF("{'question':'m','op':'drawn_at_least','value':-1}") "}"),
                VK_EVALUE, "pages[0].elements[1].show_if.value", "drawn_at_least -1");
    def_refused(ONE_PAGE(Q_SCALE("s") ",{'key':'t','type':'text','text':{'fi':'Q'}," IF("{'question':'s','op':'drawn_at_least','value':1}") "}"),
                VK_EVALUE, "pages[0].elements[1].show_if.op", "drawn_at_least on a scale");
    def_refused(ONE_PAGE(Q_SCALE("s") ",{'key':'t','type':'text','text':{'fi':'Q'}," IF("{'question':'s','op':'about','value':1}") "}"),
                VK_EVALUE, "pages[0].elements[1].show_if.op", "an unknown operator");
    def_refused(ONE_PAGE(Q_SCALE("s") ",{'key':'t','type':'text','text':{'fi':'Q'}," IF("{'question':'s','op':'eq'}") "}"),
                VK_EMISSING, "pages[0].elements[1].show_if.value", "a condition without its value");
    def_refused(ONE_PAGE(Q_SCALE("s") ",{'key':'t','type':'text','text':{'fi':'Q'}," IF("{'all':[{'question':'s','op':'eq','value':1}],'any':[]}") "}"),
                VK_EUNKNOWN_FIELD, "pages[0].elements[1].show_if", "all and any in one condition");
    def_refused(ONE_PAGE(Q_SCALE("s") ",{'key':'t','type':'text','text':{'fi':'Q'}," IF("{'all':[]}") "}"),
                VK_ETYPE, "pages[0].elements[1].show_if.all", "an empty all");
    def_refused(ONE_PAGE(Q_SCALE("s") "," Q_CHOICE("c") ",{'key':'t','type':'text','text':{'fi':'Q'},"
                         IF("{'all':[{'question':'s','op':'ge','value':2},{'any':[{'question':'c','op':'chosen','value':'a'},{'question':'t','op':'eq','value':1}]}]}") "}"),
                VK_EVALUE, "pages[0].elements[2].show_if.all[1].any[1].question", "a nested term on a later question");
    def_ok("{'slug':'s','title':{'fi':'T'}," PLACES "'pages':[{'key':'p','elements':[{'key':'c','type':'place-choice','text':{'fi':'Q'}},{'key':'t','type':'text','text':{'fi':'Q'}," IF("{'question':'c','op':'chosen','value':'x'}") "}]}]}",
           "a condition on a chosen place");
    def_refused(PAGES("{'key':'p','elements':[" Q_CHOICE("c") "]},{'key':'q'," IF("{'question':'d','op':'chosen','value':'a'}") ",'elements':[" Q_CHOICE("d") "]}"),
                VK_EVALUE, "pages[1].show_if.question", "a page condition on a question of the same page");
    def_ok(PAGES("{'key':'p','elements':[" Q_CHOICE("c") "]},{'key':'q'," IF("{'question':'c','op':'not_chosen','value':'a'}") ",'elements':[" Q_CHOICE("d") "]}"),
           "a page condition on an earlier page");
    def_refused(PAGES("{'key':'p'," IF("{'question':'c','op':'chosen','value':'a'}") ",'elements':[" Q_CHOICE("c") "]}"),
                VK_EVALUE, "pages[0].show_if.question", "a first page with a condition on itself");
    /* follow-ups see earlier follow-ups of their own question and questions before it */
    def_ok(ONE_PAGE(Q_CHOICE("c") ",{'key':'m','type':'map-point','text':{'fi':'Q'},'followups':[" Q_SCALE("s")
                    ",{'key':'t','type':'text','text':{'fi':'Q'}," IF("{'all':[{'question':'s','op':'ge','value':3},{'question':'c','op':'chosen','value':'a'}]}") "}]}"),
           "a follow-up condition on an earlier follow-up and an earlier question");
    def_refused(ONE_PAGE("{'key':'m','type':'map-point','text':{'fi':'Q'},'followups':[{'key':'t','type':'text','text':{'fi':'Q'}," IF("{'question':'s','op':'ge','value':3}") "}," Q_SCALE("s") "]}"),
                VK_EVALUE, "pages[0].elements[0].followups[0].show_if.question", "a follow-up condition on a later follow-up");
    def_refused(ONE_PAGE("{'key':'m','type':'map-point','text':{'fi':'Q'},'followups':[" Q_SCALE("s") "]},{'key':'n','type':'map-point','text':{'fi':'Q'},'followups':[{'key':'t','type':'text','text':{'fi':'Q'}," IF("{'question':'s','op':'ge','value':3}") "}]}"),
                VK_EVALUE, "pages[0].elements[1].followups[0].show_if.question", "a follow-up condition on another question's follow-up");
    def_refused(ONE_PAGE("{'key':'m','type':'map-point','text':{'fi':'Q'},'followups':[" Q_SCALE("s") "]},{'key':'t','type':'text','text':{'fi':'Q'}," IF("{'question':'s','op':'ge','value':3}") "}"),
                VK_EVALUE, "pages[0].elements[1].show_if.question", "a question condition on a follow-up");
}

/* ------------------------------------------------------------------ */
/* Responses                                                           */
/* ------------------------------------------------------------------ */

typedef struct fixture {
    json_t *doc, *response;
    survey_def *def;
    gis_ctx *area;
} fixture;

static fixture ROUTE, BUDGET_F, PART;

static void fixture_open(fixture *f, const char *name)
{
    char rname[128];
    vk_errinfo ei;
    snprintf(rname, sizeof rname, "responses/%s", name);
    f->doc = load(name);
    f->response = load(rname);
    if (parse_def(f->doc, &f->def, &ei) != VK_OK)
        printf("# %s refused at %s: %s\n", name, ei.field, ei.message);
    else if (survey_def_area_ctx(f->def, &f->area, &ei) != VK_OK)
        printf("# %s: no area context: %s\n", name, ei.message);
}

static void fixture_close(fixture *f)
{
    gis_ctx_free(f->area);
    survey_def_free(f->def);
    json_decref(f->doc);
    json_decref(f->response);
}

static vk_err check(const survey_def *d, gis_ctx *area, const json_t *resp, survey_norm *n,
                    vk_errinfo *ei)
{
    survey_env env = {G, area, district_id, NULL};
    vk_errinfo_clear(ei);
    survey_norm_init(n);
    return survey_response_check(d, resp, &env, n, ei);
}

/* A copy of base with answers[key] = value (NULL: without it). */
static json_t *with(const json_t *base, const char *key, const char *value)
{
    json_t *r = json_deep_copy(base);
    json_t *a = json_object_get(r, "answers");
    if (value)
        json_object_set_new(a, key, J(value));
    else
        json_object_del(a, key);
    return r;
}

static void resp_ok(const fixture *f, const char *key, const char *value, const char *name)
{
    json_t *r = with(f->response, key, value);
    survey_norm n;
    vk_errinfo ei;
    vk_err e = check(f->def, f->area, r, &n, &ei);
    T_EQ_INT(e, VK_OK, "%s: accepted", name);
    if (e)
        printf("#   refused %s: %s\n", ei.field, ei.message);
    survey_norm_fini(&n);
    json_decref(r);
}

static void resp_refused(const fixture *f, const char *key, const char *value, vk_err code,
                         const char *field, const char *name)
{
    json_t *r = with(f->response, key, value);
    survey_norm n;
    vk_errinfo ei;
    vk_err e = check(f->def, f->area, r, &n, &ei);
    T_EQ_INT(e, code, "%s: refused as %s (%s)", name, vk_err_code(code), ei.message);
    T_EQ_STR(ei.field, field, "%s: at %s", name, field);
    T_OK(n.n_answers == 0 && n.features.n == 0, "%s: nothing half-normalised is left", name);
    survey_norm_fini(&n);
    json_decref(r);
}

static const survey_answer *row_of(const survey_norm *n, const char *key)
{
    for (size_t i = 0; i < n->n_answers; i++)
        if (strcmp(n->answers[i].question, key) == 0)
            return &n->answers[i];
    return NULL;
}

static void test_normalised(void)
{
    survey_norm n;
    vk_errinfo ei;
    vk_err e = check(ROUTE.def, ROUTE.area, ROUTE.response, &n, &ei);
    T_EQ_INT(e, VK_OK, "the safe-route response is accepted");
    if (e)
        printf("#   refused %s: %s\n", ei.field, ei.message);
    T_EQ_STR(n.id, "0b7e7a36-5d5c-4d0f-9f7a-2c1f1e7e1f11", "the client's id");
    T_EQ_INT(n.version, 1, "the version answered");
    T_EQ_STR(n.language, "fi", "the language");
    T_EQ_STR(n.started, "2026-09-10T07:30:00Z", "started, in UTC");
    T_EQ_INT(n.n_answers, 10, "one row per answer");
    T_EQ_INT(n.features.n, 4, "one row per drawn feature (a route and three spots)");
    const survey_answer *a = row_of(&n, "told_adult");
    T_OK(a && a->skipped, "a skip is marked as such");
    a = row_of(&n, "email");
    T_OK(a && a->personal, "an answer named by a consent is personal");
    a = row_of(&n, "mode");
    T_OK(a && !a->personal && !a->skipped && strcmp(a->type, "single-choice") == 0 &&
             strcmp(json_string_value(a->value), "walk") == 0,
         "a plain answer keeps its type and value");
    if (n.features.n == 4) {
        const qt_feature *f = n.features.v;
        T_OK(f[0].where == QT_AT_GEOMETRY && f[0].wkb && f[0].wkb_len > 9 &&
                 strcmp(f[0].geom_type, "LineString") == 0 && strcmp(f[0].question, "route") == 0,
             "the route is a LineString in WKB");
        T_EQ_INT(f[0].district_id, district_id(NULL, "vuoksenniska"), "the route lies in Vuoksenniska");
        T_OK(json_is_array(json_object_get(f[0].answers, "route_season")),
             "the route carries its follow-up answer");
        T_OK(f[1].index == 0 && strcmp(f[1].question, "unsafe_spots") == 0 &&
                 strcmp(f[1].geom_type, "Point") == 0,
             "the first spot is a point");
        T_EQ_INT(json_integer_value(json_object_get(f[1].answers, "how_unsafe")), 4,
                 "with its own follow-ups");
        T_OK(f[2].where == QT_AT_DISTRICT && !f[2].wkb && strcmp(f[2].district, "imatrankoski") == 0 &&
                 f[2].district_id == district_id(NULL, "imatrankoski"),
             "a spot given as a district, without the map");
        T_OK(f[3].where == QT_AT_WORDS && f[3].index == 2 && !f[3].wkb &&
                 strcmp(f[3].description, "Kaupan pihan kohdalla") == 0,
             "a spot described in words");
    }
    survey_norm_fini(&n);

    e = check(BUDGET_F.def, BUDGET_F.area, BUDGET_F.response, &n, &ei);
    T_EQ_INT(e, VK_OK, "the geobudget response is accepted");
    if (e)
        printf("#   refused %s: %s\n", ei.field, ei.message);
    T_EQ_INT(n.features.n, 5, "one row per placed item");
    if (n.features.n == 5) {
        const qt_feature *f = n.features.v;
        T_OK(f[0].where == QT_AT_PLACE && strcmp(f[0].place, "huvikumpu") == 0 &&
                 strcmp(f[0].item, "playground") == 0,
             "the playground at the Huvikumpu place");
        T_OK(f[1].where == QT_AT_GEOMETRY && strcmp(f[1].item, "bus_shelter") == 0 &&
                 f[1].district_id == district_id(NULL, "imatrankoski"),
             "a bus shelter on the map, in Imatrankoski");
        T_OK(f[2].where == QT_AT_DISTRICT && f[3].where == QT_AT_GEOMETRY &&
                 f[4].where == QT_AT_WORDS,
             "flowers at a district and on the map, a bench in words");
        T_OK(!f[0].answers, "placed items have no follow-ups");
    }
    survey_norm_fini(&n);

    e = check(PART.def, PART.area, PART.response, &n, &ei);
    T_EQ_INT(e, VK_OK, "the take-part response is accepted");
    if (e)
        printf("#   refused %s: %s\n", ei.field, ei.message);
    T_OK(PART.area == NULL, "a survey without an area has no area context");
    T_EQ_INT(n.features.n, 0, "no features without map questions");
    T_EQ_INT(n.n_answers, 10, "ten answers");
    survey_norm_fini(&n);
}

static void test_envelope(void)
{
    static const struct {
        const char *member, *value;
        vk_err code;
        const char *field, *name;
    } bad[] = {
        {"id", NULL, VK_EMISSING, "id", "no id"},
        {"id", "'not-a-uuid'", VK_EVALUE, "id", "an id that is no UUID"},
        {"version", "0", VK_EVALUE, "version", "version 0"},
        {"version", NULL, VK_EMISSING, "version", "no version"},
        {"language", "'de'", VK_EVALUE, "language", "German"},
        {"started", "'this morning'", VK_EVALUE, "started", "a start that is no time"},
        {"answers", NULL, VK_EMISSING, "answers", "no answers"},
        {"answers", "[]", VK_ETYPE, "answers", "answers as an array"},
        {"user", "'me'", VK_EUNKNOWN_FIELD, "user", "an unknown member"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *r = json_deep_copy(PART.response);
        if (bad[i].value)
            json_object_set_new(r, bad[i].member, J(bad[i].value));
        else
            json_object_del(r, bad[i].member);
        survey_norm n;
        vk_errinfo ei;
        T_EQ_INT(check(PART.def, NULL, r, &n, &ei), bad[i].code, "%s is refused", bad[i].name);
        T_EQ_STR(ei.field, bad[i].field, "%s: at %s", bad[i].name, bad[i].field);
        survey_norm_fini(&n);
        json_decref(r);
    }
    resp_refused(&PART, "nobody", "'x'", VK_EANSWER, "answers.nobody", "an answer to no question");
    resp_refused(&ROUTE, "how_to_map", "'x'", VK_EANSWER, "answers.how_to_map", "an answer to an info element");
    resp_refused(&ROUTE, "why_unsafe", "['dark']", VK_EANSWER, "answers.why_unsafe",
                 "a follow-up answered outside its feature");
}

static void test_choice_answers(void)
{
    resp_refused(&ROUTE, "respondent", NULL, VK_EANSWER, "answers.respondent", "a required answer left out");
    resp_refused(&ROUTE, "respondent", "''", VK_EANSWER, "answers.respondent", "an empty answer to a required question");
    resp_refused(&ROUTE, "respondent", "'teacher'", VK_EANSWER, "answers.respondent", "an unknown choice");
    resp_refused(&ROUTE, "respondent", "2", VK_EANSWER, "answers.respondent", "a number as a choice");
    resp_refused(&ROUTE, "respondent", "{'other':'opettaja'}", VK_EANSWER, "answers.respondent",
                 "other where none is offered");
    resp_refused(&ROUTE, "respondent", "'skip'", VK_EANSWER, "answers.respondent", "skip where it is not allowed");
    resp_ok(&ROUTE, "mode", "{'other':'potkulauta'}", "other, what? where offered");
    resp_refused(&ROUTE, "mode", "{'other':''}", VK_EANSWER, "answers.mode.other", "an empty other");
    char longer[400];
    snprintf(longer, sizeof longer, "{'other':'%0201d'}", 0);
    resp_refused(&ROUTE, "mode", longer, VK_EANSWER, "answers.mode.other", "an other of 201 characters");
    resp_refused(&ROUTE, "mode", "{'other':'a','b':1}", VK_EANSWER, "answers.mode.other", "other with more members");

    resp_ok(&PART, "ways_now", "['resident_evening']", "one pick of at most three");
    resp_refused(&PART, "ways_now", "[]", VK_EANSWER, "answers.ways_now", "no picks where required");
    resp_refused(&PART, "ways_now", "['walk','workshop','online_survey','social_media']", VK_EANSWER,
                 "answers.ways_now", "four picks of at most three");
    resp_refused(&PART, "ways_now", "['walk','walk']", VK_EANSWER, "answers.ways_now[1]", "a pick given twice");
    resp_refused(&PART, "ways_now", "['walk',{'other':'a'},{'other':'b'}]", VK_EANSWER, "answers.ways_now[2]",
                 "two others");
    resp_refused(&PART, "ways_now", "['walk','dance']", VK_EANSWER, "answers.ways_now[1]", "an unknown pick");
    resp_refused(&PART, "ways_now", "'walk'", VK_EANSWER, "answers.ways_now", "a multi-choice answer not in an array");
    resp_refused(&PART, "ways_now", "['walk','walk','walk','walk','walk','walk','walk','walk']", VK_EANSWER,
                 "answers.ways_now", "more picks than choices, refused before looking for repeats");
    resp_refused(&ROUTE, "unsafe_spots",
                 "[{'district':'pelkola','answers':{'why_unsafe':['dark'],'how_unsafe':2}},{'district':'pelkola','answers':{'why_unsafe':[]}}]",
                 VK_EANSWER, "answers.unsafe_spots[1].answers.why_unsafe", "a follow-up with too few picks");

    resp_ok(&BUDGET_F, "priorities", "['play','safety','transport','greenery']", "another full ranking");
    resp_refused(&BUDGET_F, "priorities", "['play','safety','transport']", VK_EANSWER, "answers.priorities",
                 "a ranking missing one where all are ranked");
    resp_refused(&BUDGET_F, "priorities", "['play','play','transport','greenery']", VK_EANSWER,
                 "answers.priorities[1]", "a choice ranked twice");
    resp_refused(&BUDGET_F, "priorities", "['play','safety','transport','money']", VK_EANSWER,
                 "answers.priorities[3]", "an unknown choice ranked");
    resp_ok(&PART, "topics", "['services']", "a partial ranking where not all are ranked");

    resp_refused(&BUDGET_F, "satisfaction", "{'parks':'good','streets':'poor'}", VK_EANSWER,
                 "answers.satisfaction.lighting", "a required matrix missing a row");
    resp_refused(&BUDGET_F, "satisfaction", "{'parks':'good','streets':'poor','lighting':'meh'}", VK_EANSWER,
                 "answers.satisfaction.lighting", "an unknown column");
    resp_refused(&BUDGET_F, "satisfaction", "{'parks':'good','streets':'poor','lighting':'good','shops':'good'}",
                 VK_EANSWER, "answers.satisfaction.shops", "an unknown row");
    resp_refused(&BUDGET_F, "satisfaction", "['good']", VK_EANSWER, "answers.satisfaction", "a matrix as an array");

    resp_ok(&ROUTE, "school", "['mansikkalan_koulu']", "another school");
    resp_refused(&ROUTE, "school", "['mansikkalan_koulu','vuoksenniskan_koulu']", VK_EANSWER, "answers.school",
                 "two places where one may be picked");
    resp_refused(&ROUTE, "school", "['kauppa']", VK_EANSWER, "answers.school[0]", "a place the survey does not have");
    resp_refused(&BUDGET_F, "favourite_spot", "['koskenpaa_stop']", VK_EANSWER, "answers.favourite_spot[0]",
                 "a place not offered by this question");
    resp_refused(&BUDGET_F, "favourite_spot", "['huvikumpu','huvikumpu']", VK_EANSWER, "answers.favourite_spot[1]",
                 "a place picked twice");
}

static void test_value_answers(void)
{
    resp_ok(&ROUTE, "feel_safe", "5", "the top of the scale");
    resp_refused(&ROUTE, "feel_safe", "6", VK_EANSWER, "answers.feel_safe", "above the scale");
    resp_refused(&ROUTE, "feel_safe", "0", VK_EANSWER, "answers.feel_safe", "below a scale from 1");
    resp_refused(&ROUTE, "feel_safe", "2.5", VK_EANSWER, "answers.feel_safe", "between steps of the scale");
    resp_ok(&PART, "influence", "0", "0 on a 0-10 scale");
    resp_refused(&PART, "influence", "11", VK_EANSWER, "answers.influence", "11 on a 0-10 scale");

    resp_ok(&ROUTE, "grade", "'skip'", "skip where allowed");
    resp_refused(&ROUTE, "grade", "10", VK_EANSWER, "answers.grade", "a number above its max");
    resp_refused(&ROUTE, "grade", "0", VK_EANSWER, "answers.grade", "a number below its min");
    resp_refused(&ROUTE, "grade", "3.5", VK_EANSWER, "answers.grade", "a fraction where whole numbers are asked");
    resp_ok(&ROUTE, "grade", "3.0", "3.0 is a whole number");
    resp_refused(&ROUTE, "grade", "'3'", VK_EANSWER, "answers.grade", "a number as text");
    resp_refused(&PART, "years_lived", "'skip'", VK_EANSWER, "answers.years_lived", "skip where not allowed");

    resp_refused(&ROUTE, "email", "'a@b.fi\\nc'", VK_EANSWER, "answers.email", "a newline in a one-line text");
    resp_refused(&ROUTE, "email", "'   '", VK_EANSWER, "answers.email", "a blank text");
    char longer[400];
    snprintf(longer, sizeof longer, "'%0201d'", 0);
    resp_refused(&ROUTE, "email", longer, VK_EANSWER, "answers.email", "201 characters where 200 are allowed");
    resp_ok(&ROUTE, "email", "'\xc3\xa4\xc3\xa4ni@example.fi'", "a text counted in characters, not bytes");
    resp_ok(&PART, "why_not", "'Ei aikaa.\\nEi tietoa.'", "a newline in a multi-line text");
    resp_refused(&PART, "why_not", "'a\\u0001b'", VK_EANSWER, "answers.why_not", "a control character");

    resp_refused(&BUDGET_F, "park_visit", "'2026-02-30'", VK_EANSWER, "answers.park_visit", "a date that does not exist");
    resp_refused(&BUDGET_F, "park_visit", "'2019-12-31'", VK_EANSWER, "answers.park_visit", "a date before min");
    resp_refused(&BUDGET_F, "park_visit", "'2028-01-01'", VK_EANSWER, "answers.park_visit", "a date after max");
    resp_refused(&BUDGET_F, "park_visit", "'15.8.2026'", VK_EANSWER, "answers.park_visit", "a Finnish-style date");
    resp_ok(&BUDGET_F, "park_visit", "'skip'", "a skipped date");
    resp_ok(&PART, "evening_date", "'2027-03-31'", "the last day allowed");

    resp_refused(&ROUTE, "contact_ok", "false", VK_EANSWER, "answers.contact_ok", "consent given as false");
    json_t *r = with(ROUTE.response, "contact_ok", NULL);
    json_t *a = json_object_get(r, "answers");
    survey_norm n;
    vk_errinfo ei;
    T_EQ_INT(check(ROUTE.def, ROUTE.area, r, &n, &ei), VK_EANSWER, "personal data without its consent is refused");
    T_EQ_STR(ei.field, "answers.email", "at the personal answer");
    survey_norm_fini(&n);
    json_object_del(a, "email");
    T_EQ_INT(check(ROUTE.def, ROUTE.area, r, &n, &ei), VK_OK, "without either, the response is fine");
    survey_norm_fini(&n);
    json_decref(r);
}

static void test_budget_answers(void)
{
    resp_ok(&PART, "time_budget", "{'council':1,'evening':2}", "exactly the budget");
    resp_refused(&PART, "time_budget", "{'council':1,'evening':3}", VK_EANSWER, "answers.time_budget",
                 "over the budget");
    resp_refused(&PART, "time_budget", "{'council':2}", VK_EANSWER, "answers.time_budget.council",
                 "an item chosen more often than allowed");
    resp_refused(&PART, "time_budget", "{'survey':-1}", VK_EANSWER, "answers.time_budget.survey", "a negative count");
    resp_refused(&PART, "time_budget", "{'party':1}", VK_EANSWER, "answers.time_budget.party", "an unknown item");
    resp_refused(&PART, "time_budget", "[{'item':'survey'}]", VK_EANSWER, "answers.time_budget", "a budget as an array");

#define PT(x, y) "{'type':'Point','coordinates':[" #x "," #y "]}"
    resp_refused(&BUDGET_F, "improvements",
                 "[{'item':'playground','place':'huvikumpu'},{'item':'bus_shelter','district':'mansikkala'},{'item':'bus_shelter','district':'karhumaki'}]",
                 VK_EANSWER, "answers.improvements", "a geobudget over 40 000");
    resp_refused(&BUDGET_F, "improvements",
                 "[{'item':'playground','place':'huvikumpu'},{'item':'playground','district':'karhumaki'}]",
                 VK_EANSWER, "answers.improvements[1].item", "the playground twice");
    resp_refused(&BUDGET_F, "improvements", "[{'item':'pool','place':'huvikumpu'}]", VK_EANSWER,
                 "answers.improvements[0].item", "an unknown item");
    resp_refused(&BUDGET_F, "improvements", "[{'item':'bench'}]", VK_EANSWER, "answers.improvements[0]",
                 "an item not placed");
    resp_refused(&BUDGET_F, "improvements", "[{'item':'bench','district':'mansikkala','geometry':" PT(28.775, 61.176) "}]",
                 VK_EANSWER, "answers.improvements[0].district", "an item placed two ways");
    resp_refused(&BUDGET_F, "improvements", "[{'item':'bench','district':'helsinki'}]", VK_EANSWER,
                 "answers.improvements[0].district", "an unknown district");
    resp_refused(&BUDGET_F, "improvements", "[{'item':'bench','place':'nowhere'}]", VK_EANSWER,
                 "answers.improvements[0].place", "an unknown place");
    resp_refused(&BUDGET_F, "improvements",
                 "[{'item':'bench','geometry':{'type':'LineString','coordinates':[[28.77,61.17],[28.78,61.18]]}}]",
                 VK_EGEOM_TYPE, "answers.improvements[0].geometry", "an item drawn as a line");
    resp_refused(&BUDGET_F, "improvements", "[{'item':'bench','geometry':" PT(28.4, 61.2) "}]", VK_EOUTSIDE,
                 "answers.improvements[0].geometry", "an item outside the municipality");
    resp_refused(&BUDGET_F, "improvements", "[{'item':'bench','colour':'red','place':'huvikumpu'}]", VK_EANSWER,
                 "answers.improvements[0].colour", "an unknown member of a placed item");
    resp_refused(&BUDGET_F, "improvements", NULL, VK_EANSWER, "answers.improvements", "a required geobudget left out");
    char many[8192] = "[";
    for (int i = 0; i < 23; i++)
        strcat(many, i ? ",{'item':'bench','district':'pelkola'}" : "{'item':'bench','district':'pelkola'}");
    strcat(many, "]");
    resp_refused(&BUDGET_F, "improvements", many, VK_EANSWER, "answers.improvements",
                 "more placed items than all the counts allow");
    resp_refused(&BUDGET_F, "improvements",
                 "[{'item':'bench','district':'pelkola'},{'item':'bench','district':'pelkola'},{'item':'bench','district':'pelkola'},{'item':'bench','district':'pelkola'},{'item':'bench','district':'pelkola'},{'item':'bench','district':'pelkola'},{'item':'bench','district':'pelkola'}]",
                 VK_EANSWER, "answers.improvements[6].item", "a seventh bench where six may be chosen");
    resp_ok(&BUDGET_F, "improvements",
            "[{'item':'bench','district':'pelkola'},{'item':'bench','district':'pelkola'},{'item':'bench','district':'pelkola'},{'item':'bench','district':'pelkola'},{'item':'bench','district':'pelkola'},{'item':'bench','district':'pelkola'}]",
            "six benches");
}

static void test_map_answers(void)
{
    resp_refused(&ROUTE, "route",
                 "[{'description':'a'},{'description':'b'},{'description':'c'}]", VK_EANSWER, "answers.route",
                 "three routes where two may be drawn");
    resp_refused(&ROUTE, "route", "{'description':'a'}", VK_EANSWER, "answers.route", "features not in an array");
    resp_refused(&ROUTE, "route", "[{'geometry':" PT(28.8, 61.2) "}]", VK_EGEOM_TYPE, "answers.route[0].geometry",
                 "a point where a line is drawn");
    resp_refused(&ROUTE, "unsafe_spots",
                 "[{'geometry':{'type':'MultiPoint','coordinates':[[28.8,61.2]]},'answers':{'why_unsafe':['dark']}}]",
                 VK_EGEOM_TYPE, "answers.unsafe_spots[0].geometry", "a MultiPoint where a point is drawn");
    resp_refused(&ROUTE, "unsafe_spots", "[{'geometry':{'type':'Point','coordinates':[28.8,95]},'answers':{'why_unsafe':['dark']}}]",
                 VK_EGEOM_COORD, "answers.unsafe_spots[0].geometry.coordinates", "a latitude of 95");
    resp_refused(&ROUTE, "unsafe_spots", "[{'geometry':" PT(28.5, 61.2) ",'answers':{'why_unsafe':['dark']}}]",
                 VK_EOUTSIDE, "answers.unsafe_spots[0].geometry", "a spot outside the municipality");
    resp_refused(&ROUTE, "unsafe_spots",
                 "[{'geometry':" PT(28.822, 61.229) ",'answers':{'why_unsafe':['dark']}},{'geometry':" PT(28.70, 61.2) ",'answers':{'why_unsafe':['dark']}}]",
                 VK_EOUTSIDE, "answers.unsafe_spots[1].geometry", "the second spot in Imatra but outside the survey area");
    resp_refused(&ROUTE, "route",
                 "[{'geometry':{'type':'LineString','coordinates':[[28.80,61.20],[28.70,61.20]]}}]",
                 VK_EOUTSIDE, "answers.route[0].geometry", "a route leaving the survey area");
    resp_refused(&ROUTE, "unsafe_spots", "[{'geometry':" PT(28.822, 61.229) "}]", VK_EANSWER,
                 "answers.unsafe_spots[0].answers.why_unsafe", "a required follow-up left out");
    resp_refused(&ROUTE, "unsafe_spots", "[{'geometry':" PT(28.822, 61.229) ",'answers':{'why_unsafe':['dark'],'how_unsafe':9}}]",
                 VK_EANSWER, "answers.unsafe_spots[0].answers.how_unsafe", "a follow-up out of its range");
    resp_refused(&ROUTE, "unsafe_spots", "[{'geometry':" PT(28.822, 61.229) ",'answers':{'why_unsafe':['dark'],'mood':1}}]",
                 VK_EANSWER, "answers.unsafe_spots[0].answers.mood", "an unknown follow-up");
    resp_refused(&ROUTE, "unsafe_spots", "[{'geometry':" PT(28.822, 61.229) ",'answers':['dark']}]",
                 VK_EANSWER, "answers.unsafe_spots[0].answers", "follow-up answers not an object");
    resp_refused(&ROUTE, "unsafe_spots", "[{'geometry':" PT(28.822, 61.229) ",'colour':'red','answers':{'why_unsafe':['dark']}}]",
                 VK_EANSWER, "answers.unsafe_spots[0].colour", "an unknown member of a drawn feature");
    resp_refused(&ROUTE, "unsafe_spots", "[{'place':'koulu','answers':{'why_unsafe':['dark']}}]",
                 VK_EANSWER, "answers.unsafe_spots[0].place", "a spot at an unknown place");
    resp_ok(&ROUTE, "unsafe_spots", "[{'place':'mansikkalan_koulu','answers':{'why_unsafe':['speed']}}]",
            "a spot at one of the survey places");
    resp_refused(&ROUTE, "unsafe_spots", "[{'description':'','answers':{'why_unsafe':['dark']}}]",
                 VK_EANSWER, "answers.unsafe_spots[0].description", "an empty description");
    resp_refused(&ROUTE, "unsafe_spots", "[{'answers':{'why_unsafe':['dark']}}]", VK_EANSWER,
                 "answers.unsafe_spots[0]", "a spot without a place");
    resp_refused(&ROUTE, "unsafe_spots", "[{'geometry':" PT(28.822, 61.229) ",'district':'vuoksenniska','answers':{'why_unsafe':['dark']}}]",
                 VK_EANSWER, "answers.unsafe_spots[0].district", "a spot given two ways");

    /* areas, the outside rule and minimum counts: a survey of its own */
    json_t *doc = J("{'slug':'s','title':{'fi':'T'},'area_rule':'outside',"
                    "'area':{'type':'Polygon','coordinates':[[[28.79,61.19],[28.80,61.19],[28.80,61.20],[28.79,61.20],[28.79,61.19]]]},"
                    "'pages':[{'key':'p','elements':[{'key':'zones','type':'map-area','text':{'fi':'Q'},'required':true,'max_features':2},"
                    "{'key':'lines','type':'map-line','text':{'fi':'Q'},'min_features':2}]}]}");
    fixture f = {doc, J("{'id':'0b7e7a36-5d5c-4d0f-9f7a-2c1f1e7e1f12','version':2,'answers':{'zones':[{'district':'pelkola'}]}}"), NULL, NULL};
    vk_errinfo ei;
    T_EQ_INT(parse_def(doc, &f.def, &ei), VK_OK, "a map-area survey with the outside rule");
    T_EQ_INT(survey_def_area_ctx(f.def, &f.area, &ei), VK_OK, "gets its area context");
    if (f.def && f.area) {
#define SQ(x0, y0, x1, y1) "{'type':'Polygon','coordinates':[[[" #x0 "," #y0 "],[" #x1 "," #y0 "],[" #x1 "," #y1 "],[" #x0 "," #y1 "],[" #x0 "," #y0 "]]]}"
        resp_ok(&f, "zones", "[{'geometry':" SQ(28.76, 61.17, 28.77, 61.18) "}]", "an area outside the left-out area");
        resp_refused(&f, "zones", "[{'geometry':" SQ(28.792, 61.192, 28.795, 61.195) "}]", VK_EOUTSIDE,
                     "answers.zones[0].geometry", "an area inside the left-out area");
        resp_refused(&f, "zones", "[{'geometry':" SQ(28.78, 61.18, 28.795, 61.195) "}]", VK_EOUTSIDE,
                     "answers.zones[0].geometry", "an area overlapping the left-out area");
        resp_refused(&f, "zones", "[{'geometry':{'type':'Polygon','coordinates':[[[28.76,61.17],[28.77,61.18],[28.77,61.17],[28.76,61.18],[28.76,61.17]]]}}]",
                     VK_EGEOM_INVALID, "answers.zones[0].geometry", "a self-intersecting area (GEOS)");
        resp_refused(&f, "zones", "[{'geometry':" PT(28.76, 61.17) "}]", VK_EGEOM_TYPE, "answers.zones[0].geometry",
                     "a point where an area is drawn");
        resp_refused(&f, "zones", "[]", VK_EANSWER, "answers.zones", "no areas where an answer is required");
        resp_refused(&f, "zones", "[{'district':'pelkola'},{'district':'pelkola'},{'description':'x'}]", VK_EANSWER,
                     "answers.zones", "three areas where two may be drawn");
        resp_refused(&f, "lines", "[{'description':'x'}]", VK_EANSWER, "answers.lines",
                     "one line where at least two are drawn");
        resp_ok(&f, "lines", "[{'description':'x'},{'geometry':{'type':'LineString','coordinates':[[28.76,61.17],[28.77,61.18]]}}]",
                "two lines, one in words");
        resp_ok(&f, "lines", "[]", "no lines: an optional question left unanswered");
    }
    fixture_close(&f);
}

static void test_branching(void)
{
    /* element: not_chosen */
    json_t *r = with(ROUTE.response, "mode", "'car'");
    survey_norm n;
    vk_errinfo ei;
    T_EQ_INT(check(ROUTE.def, ROUTE.area, r, &n, &ei), VK_EANSWER, "a route by car is hidden, its answer refused");
    T_EQ_STR(ei.field, "answers.route", "at the hidden question");
    survey_norm_fini(&n);
    json_object_del(json_object_get(r, "answers"), "route");
    T_EQ_INT(check(ROUTE.def, ROUTE.area, r, &n, &ei), VK_OK, "without the route answer it is fine");
    survey_norm_fini(&n);
    json_object_set_new(json_object_get(r, "answers"), "route", json_array());
    T_EQ_INT(check(ROUTE.def, ROUTE.area, r, &n, &ei), VK_OK, "an empty answer to a hidden question is no answer");
    survey_norm_fini(&n);
    json_decref(r);

    /* page: drawn_at_least */
    resp_refused(&ROUTE, "unsafe_spots", NULL, VK_EANSWER, "answers.told_adult",
                 "no spots drawn: the page about them is hidden");
    resp_refused(&ROUTE, "unsafe_spots", "[]", VK_EANSWER, "answers.told_adult", "an empty drawing hides it too");

    /* follow-up: ge over an earlier follow-up */
    resp_refused(&ROUTE, "unsafe_spots",
                 "[{'district':'pelkola','answers':{'why_unsafe':['dark'],'how_unsafe':2,'what_to_fix':'valoja'}}]",
                 VK_EANSWER, "answers.unsafe_spots[0].answers.what_to_fix", "a follow-up hidden by its condition");
    resp_refused(&ROUTE, "unsafe_spots",
                 "[{'district':'pelkola','answers':{'why_unsafe':['dark'],'what_to_fix':'valoja'}}]",
                 VK_EANSWER, "answers.unsafe_spots[0].answers.what_to_fix", "hidden when the follow-up it names is unanswered");

    /* consent hidden for children: not_chosen */
    r = with(ROUTE.response, "respondent", "'child'");
    T_EQ_INT(check(ROUTE.def, ROUTE.area, r, &n, &ei), VK_EANSWER, "a child is not asked for consent");
    T_EQ_STR(ei.field, "answers.contact_ok", "at the consent");
    survey_norm_fini(&n);
    json_decref(r);

    /* any: chosen place, or at least two items drawn */
    r = with(BUDGET_F.response, "favourite_spot", "['mansikkala_square']");
    T_EQ_INT(check(BUDGET_F.def, NULL, r, &n, &ei), VK_OK, "five placed items show the comment box (any)");
    survey_norm_fini(&n);
    json_object_set_new(json_object_get(r, "answers"), "improvements", J("[{'item':'playground','place':'huvikumpu'}]"));
    T_EQ_INT(check(BUDGET_F.def, NULL, r, &n, &ei), VK_EANSWER, "one item and no Huvikumpu hide it");
    T_EQ_STR(ei.field, "answers.comments", "at the comment");
    survey_norm_fini(&n);
    json_object_set_new(json_object_get(r, "answers"), "favourite_spot", J("['huvikumpu']"));
    T_EQ_INT(check(BUDGET_F.def, NULL, r, &n, &ei), VK_OK, "Huvikumpu chosen shows it again");
    survey_norm_fini(&n);
    json_decref(r);

    /* all + nested any, le / lt / ge */
    resp_refused(&PART, "influence", "5", VK_EANSWER, "answers.why_not", "influence 5 hides why-not (all)");
    resp_ok(&PART, "influence", "4", "influence 4 shows it (le)");
    r = with(PART.response, "years_lived", NULL);
    json_object_set_new(json_object_get(r, "answers"), "age_group", json_string("skip"));
    T_EQ_INT(check(PART.def, NULL, r, &n, &ei), VK_EANSWER,
             "with no age and no years no term of the any holds");
    T_EQ_STR(ei.field, "answers.why_not", "at why-not");
    survey_norm_fini(&n);
    json_object_set_new(json_object_get(r, "answers"), "age_group", json_string("under_18"));
    json_object_del(json_object_get(r, "answers"), "time_budget");
    T_EQ_INT(check(PART.def, NULL, r, &n, &ei), VK_OK, "under 18 makes the any hold (chosen)");
    survey_norm_fini(&n);
    json_decref(r);

    /* multi-choice chosen; page not_chosen */
    resp_refused(&PART, "ways_now", "['walk']", VK_EANSWER, "answers.evening_date",
                 "no evenings chosen: the date is hidden");
    resp_refused(&PART, "age_group", "'under_18'", VK_EANSWER, "answers.time_budget", "a page hidden for under-18s");

    /* eq, ne, gt, lt; skip as unanswered; a hidden required question */
    json_t *doc = J(ONE_PAGE(
        "{'key':'n','type':'number','text':{'fi':'N'},'allow_skip':true},"
        "{'key':'s','type':'scale','text':{'fi':'S'},'min':0,'max':10},"
        "{'key':'c','type':'single-choice','text':{'fi':'C'},'allow_skip':true,'choices':[{'key':'a','text':{'fi':'A'}},{'key':'b','text':{'fi':'B'}}]},"
        "{'key':'if_eq','type':'text','text':{'fi':'Q'},'required':true,'show_if':{'question':'n','op':'eq','value':3}},"
        "{'key':'if_ne','type':'text','text':{'fi':'Q'},'show_if':{'question':'n','op':'ne','value':3}},"
        "{'key':'if_gt','type':'text','text':{'fi':'Q'},'show_if':{'question':'s','op':'gt','value':7}},"
        "{'key':'if_lt','type':'text','text':{'fi':'Q'},'show_if':{'question':'s','op':'lt','value':2}},"
        "{'key':'if_not_a','type':'text','text':{'fi':'Q'},'show_if':{'question':'c','op':'not_chosen','value':'a'}}"));
    fixture f = {doc, J("{'id':'0b7e7a36-5d5c-4d0f-9f7a-2c1f1e7e1f13','version':1,'answers':{'n':3,'s':8,'c':'a','if_eq':'x','if_gt':'x'}}"), NULL, NULL};
    T_EQ_INT(parse_def(doc, &f.def, &ei), VK_OK, "the condition survey is accepted");
    if (f.def) {
        resp_ok(&f, "if_gt", "'y'", "gt holds: 8 > 7");
        resp_refused(&f, "if_eq", NULL, VK_EANSWER, "answers.if_eq", "eq holds: the required question must be answered");
        resp_refused(&f, "if_ne", "'x'", VK_EANSWER, "answers.if_ne", "ne does not hold for 3");
        resp_refused(&f, "if_lt", "'x'", VK_EANSWER, "answers.if_lt", "lt does not hold for 8");
        resp_refused(&f, "if_not_a", "'x'", VK_EANSWER, "answers.if_not_a", "not_chosen does not hold for a");
        json_t *r2 = json_deep_copy(f.response);
        json_t *a = json_object_get(r2, "answers");
        json_object_set_new(a, "n", json_integer(4));
        json_object_del(a, "if_eq");
        json_object_set_new(a, "if_ne", json_string("x"));
        json_object_set_new(a, "s", json_integer(1));
        json_object_del(a, "if_gt");
        json_object_set_new(a, "if_lt", json_string("x"));
        json_object_set_new(a, "c", json_string("skip"));
        json_object_set_new(a, "if_not_a", json_string("x"));
        T_EQ_INT(check(f.def, NULL, r2, &n, &ei), VK_OK,
                 "n 4: a hidden required question is not required, ne and lt hold, a skipped choice is not chosen");
        if (ei.code)
            printf("#   refused %s: %s\n", ei.field, ei.message);
        survey_norm_fini(&n);
        json_object_set_new(a, "n", json_string("skip"));
        T_EQ_INT(check(f.def, NULL, r2, &n, &ei), VK_EANSWER, "a skipped number compares as nothing: ne fails");
        T_EQ_STR(ei.field, "answers.if_ne", "at if_ne");
        survey_norm_fini(&n);
        json_decref(r2);
    }
    fixture_close(&f);
}

/* Not a check: how long a full response check takes, for bench/ and the
 * issue's 2 000 responses a second (one thread here). */
static void report_speed(void)
{
    const fixture *fs[] = {&ROUTE, &BUDGET_F, &PART};
    for (int i = 0; i < 3; i++) {
        int64_t t0 = vk_monotonic_us();
        int k = 0;
        for (; k < 2000 && vk_monotonic_us() - t0 < 1000000; k++) {
            survey_norm n;
            vk_errinfo ei;
            check(fs[i]->def, fs[i]->area, fs[i]->response, &n, &ei);
            survey_norm_fini(&n);
        }
        double us = (double)(vk_monotonic_us() - t0) / k;
        printf("# %s: %.0f µs per response checked (%d runs, one thread)\n", fs[i]->def->slug, us, k);
    }
}

/* ------------------------------------------------------------------ */
/* Every small damage to a good document: refused cleanly or accepted  */
/* ------------------------------------------------------------------ */

typedef struct damage {
    json_t *root;
    const fixture *f; /* NULL: root is a definition; else a response to f */
    size_t tried, refused, bad;
} damage;

static void damage_try(damage *dm)
{
    vk_errinfo ei;
    vk_err e;
    dm->tried++;
    if (!dm->f) {
        survey_def *d = NULL;
        e = parse_def(dm->root, &d, &ei);
        survey_def_free(d);
    } else {
        survey_norm n;
        e = check(dm->f->def, dm->f->area, dm->root, &n, &ei);
        survey_norm_fini(&n);
    }
    if (e == VK_OK)
        return;
    dm->refused++;
    /* a refusal always says what and where (only the whole document has no path) */
    if (!ei.message[0] || (!ei.field[0] && json_is_object(dm->root)) || e == VK_EINTERNAL ||
        e == VK_ENOMEM) {
        if (dm->bad++ < 3)
            printf("#   unclear refusal %s at '%s': %s\n", vk_err_code(e), ei.field, ei.message);
    }
}

static void damage_walk(damage *dm, json_t *node, int depth)
{
    json_t *subs[] = {json_null(), json_string("x"), json_integer(12345), json_array(), json_object()};
    if (json_is_object(node)) {
        const char *k;
        json_t *v;
        void *tmp;
        json_object_foreach_safe(node, tmp, k, v) {
            json_incref(v);
            for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
                json_object_set(node, k, subs[i]);
                damage_try(dm);
            }
            json_object_set(node, k, v);
            if (depth < 12)
                damage_walk(dm, v, depth + 1);
            json_decref(v);
        }
    } else if (json_is_array(node)) {
        for (size_t i = 0; i < json_array_size(node); i++) {
            json_t *v = json_incref(json_array_get(node, i));
            json_array_remove(node, i);
            damage_try(dm);
            json_array_insert(node, i, v);
            json_array_set(node, i, json_null());
            damage_try(dm);
            json_array_set(node, i, v);
            if (depth < 12)
                damage_walk(dm, v, depth + 1);
            json_decref(v);
        }
    }
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        json_decref(subs[i]);
}

static void test_damage(void)
{
    const fixture *fs[] = {&ROUTE, &BUDGET_F, &PART};
    for (int i = 0; i < 3; i++) {
        damage dm = {fs[i]->doc, NULL, 0, 0, 0};
        damage_walk(&dm, dm.root, 0);
        T_OK(dm.bad == 0 && dm.refused > dm.tried / 2,
             "%s: %zu damaged definitions, %zu refused, each with a path and a reason",
             fs[i]->def ? fs[i]->def->slug : "?", dm.tried, dm.refused);
        damage dr = {fs[i]->response, fs[i], 0, 0, 0};
        damage_walk(&dr, dr.root, 0);
        T_OK(dr.bad == 0 && dr.refused > dr.tried / 2,
             "%s: %zu damaged responses, %zu refused, each with a path and a reason",
             fs[i]->def ? fs[i]->def->slug : "?", dr.tried, dr.refused);
    }
}

/* ------------------------------------------------------------------ */
/* Versions                                                            */
/* ------------------------------------------------------------------ */

static void change(const char *name, void (*edit)(json_t *doc), vk_err want, const char *field)
{
    json_t *doc = json_deep_copy(ROUTE.doc);
    edit(doc);
    survey_def *d = NULL;
    vk_errinfo ei;
    vk_err e = parse_def(doc, &d, &ei);
    if (e != VK_OK) {
        T_OK(0, "%s: the new version parses (%s: %s)", name, ei.field, ei.message);
        json_decref(doc);
        return;
    }
    vk_errinfo_clear(&ei);
    e = survey_def_check_change(ROUTE.def, d, &ei);
    T_EQ_INT(e, want, "%s: %s (%s)", name, want ? "refused" : "allowed", ei.message);
    if (field)
        T_EQ_STR(ei.field, field, "%s: at %s", name, field);
    survey_def_free(d);
    json_decref(doc);
}

static json_t *page_el(json_t *doc, size_t page, size_t el)
{
    return json_array_get(json_object_get(json_array_get(json_object_get(doc, "pages"), page), "elements"), el);
}

static void ed_none(json_t *d) { (void)d; }
static void ed_text(json_t *d)
{
    json_object_set_new(json_object_get(page_el(d, 0, 0), "text"), "fi", json_string("Kuka sinä olet?"));
}
static void ed_add_choice(json_t *d)
{
    json_array_append_new(json_object_get(page_el(d, 0, 0), "choices"), J("{'key':'teacher','text':{'fi':'Opettaja'}}"));
}
static void ed_add_element(json_t *d)
{
    json_array_append_new(json_object_get(json_array_get(json_object_get(d, "pages"), 0), "elements"), J(Q_TEXT("extra")));
}
static void ed_limits(json_t *d)
{
    json_object_set_new(page_el(d, 1, 2), "max_features", json_integer(20));
    json_object_set_new(page_el(d, 0, 1), "max", json_integer(12));
}
static void ed_move(json_t *d)
{
    json_t *els = json_object_get(json_array_get(json_object_get(d, "pages"), 0), "elements");
    json_t *feel = json_incref(json_array_get(els, 4));
    json_array_remove(els, 4);
    json_array_append_new(json_object_get(json_array_get(json_object_get(d, "pages"), 3), "elements"), feel);
}
static void ed_drop_info(json_t *d)
{
    json_array_remove(json_object_get(json_array_get(json_object_get(d, "pages"), 1), "elements"), 0);
}
static void ed_drop_element(json_t *d)
{
    json_array_remove(json_object_get(json_array_get(json_object_get(d, "pages"), 0), "elements"), 1);
}
static void ed_drop_choice(json_t *d)
{
    json_array_remove(json_object_get(page_el(d, 0, 0), "choices"), 2);
}
static void ed_type(json_t *d)
{
    json_object_set_new(page_el(d, 0, 3), "type", json_string("multi-choice"));
}
static void ed_required(json_t *d)
{
    json_object_set_new(page_el(d, 0, 1), "required", json_true());
}
static void ed_optional(json_t *d)
{
    json_object_set_new(page_el(d, 0, 0), "required", json_false());
}
static void ed_drop_place(json_t *d)
{
    json_array_remove(json_object_get(d, "places"), 1);
}
static void ed_drop_followup(json_t *d)
{
    json_array_remove(json_object_get(page_el(d, 1, 2), "followups"), 0);
}
static void ed_drop_other(json_t *d)
{
    json_object_del(page_el(d, 0, 3), "other");
}
static void ed_followup_out(json_t *d)
{
    json_t *fus = json_object_get(page_el(d, 1, 1), "followups");
    json_t *fu = json_incref(json_array_get(fus, 0));
    json_object_del(page_el(d, 1, 1), "followups");
    json_array_append_new(json_object_get(json_array_get(json_object_get(d, "pages"), 1), "elements"), fu);
}

static void test_versions(void)
{
    change("the same document", ed_none, VK_OK, NULL);
    change("a text changed", ed_text, VK_OK, NULL);
    change("a choice added", ed_add_choice, VK_OK, NULL);
    change("an optional question added", ed_add_element, VK_OK, NULL);
    change("limits changed", ed_limits, VK_OK, NULL);
    change("a question moved to another page", ed_move, VK_OK, NULL);
    change("an info element removed", ed_drop_info, VK_OK, NULL);
    change("a required question made optional", ed_optional, VK_OK, NULL);
    change("a question removed", ed_drop_element, VK_ESURVEY_ORPHANS, "pages[0].elements[1]");
    change("a choice removed", ed_drop_choice, VK_ESURVEY_ORPHANS, "pages[0].elements[0].choices[2]");
    change("a type changed", ed_type, VK_ESURVEY_ORPHANS, "pages[0].elements[3].type");
    change("an optional question made required", ed_required, VK_ESURVEY_ORPHANS, "pages[0].elements[1].required");
    change("a place removed", ed_drop_place, VK_ESURVEY_ORPHANS, "places[1]");
    change("a follow-up removed", ed_drop_followup, VK_ESURVEY_ORPHANS, "pages[1].elements[2].followups[0]");
    change("other, what? withdrawn", ed_drop_other, VK_ESURVEY_ORPHANS, "pages[0].elements[3].other");
    change("a follow-up moved out of its map question", ed_followup_out, VK_ESURVEY_ORPHANS, "pages[1].elements[3]");
    T_EQ_INT(vk_err_status(VK_ESURVEY_ORPHANS), 409, "orphaning changes are 409");
    T_EQ_STR(vk_err_code(VK_ESURVEY_ORPHANS), "survey_change_orphans", "with the code docs/surveys.md names");
    T_EQ_INT(vk_err_status(VK_EANSWER), 422, "answers that do not fit are 422");

    json_t *b = json_deep_copy(BUDGET_F.doc);
    json_array_remove(json_object_get(page_el(b, 0, 0), "items"), 3);
    survey_def *d = NULL;
    vk_errinfo ei;
    T_EQ_INT(parse_def(b, &d, &ei), VK_OK, "a geobudget without the bench parses");
    T_EQ_INT(d ? survey_def_check_change(BUDGET_F.def, d, &ei) : VK_EINTERNAL, VK_ESURVEY_ORPHANS,
             "but may not replace the published one");
    T_EQ_STR(ei.field, "pages[0].elements[0].items[3]", "naming the budget item");
    survey_def_free(d);
    json_decref(b);
    b = json_deep_copy(BUDGET_F.doc);
    json_array_remove(json_object_get(page_el(b, 1, 1), "rows"), 0);
    T_EQ_INT(parse_def(b, &d, &ei), VK_OK, "a matrix without a row parses");
    T_EQ_INT(d ? survey_def_check_change(BUDGET_F.def, d, &ei) : VK_EINTERNAL, VK_ESURVEY_ORPHANS,
             "but orphans its answers");
    T_EQ_STR(ei.field, "pages[1].elements[1].rows[0]", "naming the row");
    survey_def_free(d);
    json_decref(b);
}

/* ------------------------------------------------------------------ */

/* One verdict line per file: "ok" or "refused CODE FIELD: message". */
static int check_file(const char *path)
{
    json_error_t err;
    json_t *doc = json_load_file(path, 0, &err);
    if (!doc) {
        printf("refused invalid_json %s: %s\n", path, err.text);
        return 1;
    }
    survey_def *d = NULL;
    vk_errinfo ei;
    vk_err e = parse_def(doc, &d, &ei);
    if (e == VK_OK)
        printf("ok\n");
    else
        printf("refused %s %s: %s\n", vk_err_code(e), ei.field[0] ? ei.field : "(document)",
               ei.message);
    survey_def_free(d);
    json_decref(doc);
    return e == VK_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
    load_geo();
    if (argc >= 3 && strcmp(argv[1], "--check") == 0) {
        int rc = 0;
        for (int i = 2; i < argc; i++)
            rc |= check_file(argv[i]);
        gis_ctx_free(G);
        return rc;
    }
    test_fixtures();
    test_def_survey_members();
    test_def_pages_and_keys();
    test_def_map_place_budget();
    test_def_conditions();
    fixture_open(&ROUTE, "safe-route-to-school.json");
    fixture_open(&BUDGET_F, "neighbourhood-geobudget.json");
    fixture_open(&PART, "how-to-take-part.json");
    test_normalised();
    test_envelope();
    test_choice_answers();
    test_value_answers();
    test_budget_answers();
    test_map_answers();
    test_branching();
    test_versions();
    test_damage();
    report_speed();
    fixture_close(&ROUTE);
    fixture_close(&BUDGET_F);
    fixture_close(&PART);
    gis_ctx_free(G);
    return t_done();
}
