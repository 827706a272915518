#include "attendify_shims.h"
#include <libxml/HTMLparser.h>
#include <libxml/xmlerror.h>
#include <libxml/tree.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>
#include <pthread.h>

typedef struct {
    attendify_html_problem *items;
    int count;
    int capacity;
    const char *const *allowed_tags;
} problem_list;

static void add_problem(problem_list *list, int line, const char *message) {
    if (list->count == list->capacity) {
        int capacity = list->capacity ? list->capacity * 2 : 8;
        attendify_html_problem *grown = realloc(list->items, sizeof(*grown) * (size_t)capacity);
        if (!grown) return;
        list->items = grown;
        list->capacity = capacity;
    }
    list->items[list->count].line = line;
    list->items[list->count].message = strdup(message);
    list->count++;
}

static int is_allowed_unknown_tag(const problem_list *list, const xmlError *error) {
    if (error->code != XML_HTML_UNKNOWN_TAG || !error->str1 || !list->allowed_tags) return 0;
    for (const char *const *tag = list->allowed_tags; *tag; tag++) {
        if (strcasecmp(*tag, error->str1) == 0) return 1;
    }
    return 0;
}

static void collect_error(void *context, xmlErrorPtr error) {
    problem_list *list = context;
    if (!error || is_allowed_unknown_tag(list, error)) return;
    char message[512];
    snprintf(message, sizeof message, "%s", error->message ? error->message : "unknown parser error");
    size_t n = strlen(message);
    while (n > 0 && (message[n - 1] == '\n' || message[n - 1] == '\r')) message[--n] = '\0';
    add_problem(list, error->line, message);
}

static int starts_with_javascript_scheme(const xmlChar *value) {
    const char *s = (const char *)value;
    while (*s && isspace((unsigned char)*s)) s++;
    return strncasecmp(s, "javascript:", 11) == 0;
}

static void check_safety(problem_list *list, xmlNodePtr node) {
    for (; node; node = node->next) {
        if (node->type == XML_ELEMENT_NODE) {
            int line = (int)xmlGetLineNo(node);
            char message[256];
            if (xmlStrcasecmp(node->name, BAD_CAST "script") == 0) {
                add_problem(list, line, "a <script> element: widgets must work without JavaScript");
            }
            for (xmlAttrPtr attr = node->properties; attr; attr = attr->next) {
                if (xmlStrncasecmp(attr->name, BAD_CAST "on", 2) == 0) {
                    snprintf(message, sizeof message, "event-handler attribute '%s' on <%s>",
                             (const char *)attr->name, (const char *)node->name);
                    add_problem(list, line, message);
                }
                if (xmlStrcasecmp(attr->name, BAD_CAST "href") == 0 || xmlStrcasecmp(attr->name, BAD_CAST "src") == 0) {
                    xmlChar *value = xmlNodeListGetString(node->doc, attr->children, 1);
                    if (value && starts_with_javascript_scheme(value)) {
                        snprintf(message, sizeof message, "javascript: URL in %s of <%s>",
                                 (const char *)attr->name, (const char *)node->name);
                        add_problem(list, line, message);
                    }
                    xmlFree(value);
                }
            }
        }
        check_safety(list, node->children);
    }
}

// libxml2 must be initialised once before threads use it: two first parsers at once deadlocked
// in xmlDictCreate's lazily made random-seed mutex (seen with several template checks at start).
static pthread_once_t libxml_once = PTHREAD_ONCE_INIT;
static void initialize_libxml(void) { xmlInitParser(); }

int attendify_html_check(const char *html, size_t length, const char *const *allowed_tags,
                         attendify_html_problem **problems) {
    pthread_once(&libxml_once, initialize_libxml);
    problem_list list = {0};
    list.allowed_tags = allowed_tags;
    htmlParserCtxtPtr context = htmlNewParserCtxt();
    if (!context) {
        add_problem(&list, 0, "libxml2 could not allocate a parser");
        *problems = list.items;
        return list.count;
    }
    // Structured errors go to our collector for this parser only; nothing is printed to stderr.
    xmlSetStructuredErrorFunc(&list, collect_error);
    htmlDocPtr doc = htmlCtxtReadMemory(context, html, (int)length, "widget.html", "UTF-8",
                                        HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOBLANKS);
    xmlSetStructuredErrorFunc(NULL, NULL);
    if (!doc) {
        add_problem(&list, 0, "the document could not be parsed at all");
    } else {
        check_safety(&list, xmlDocGetRootElement(doc));
        xmlFreeDoc(doc);
    }
    htmlFreeParserCtxt(context);
    *problems = list.items;
    return list.count;
}

void attendify_html_problems_free(attendify_html_problem *problems, int count) {
    for (int i = 0; i < count; i++) free(problems[i].message);
    free(problems);
}
