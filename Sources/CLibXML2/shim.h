// Linked through this system-library target for its pkg-config flags; only the C target CShims
// includes libxml2 headers. Swift never imports them, because Debian's ICU-enabled libxml2 headers
// clash with Foundation's bundled ICU.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/HTMLparser.h>
#include <libxml/xmlerror.h>
#include <libxml/tree.h>
