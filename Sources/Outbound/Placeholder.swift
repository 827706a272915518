// Replaced by the transports (issue 15).
enum OutboundPlaceholder {}
