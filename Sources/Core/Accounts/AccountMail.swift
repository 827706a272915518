import Foundation

/// The mails an organizer gets about their account, in their language (`mail` section of
/// `Panel/locales/{code}.json`), each as plain text and as simple HTML with the same words.
public enum AccountMail {
    /// "Choose a new password": the link carries the reset token in its query (`?token=`).
    public static func passwordReset(to address: String, link: String, language: WidgetLanguage) -> OutgoingMail {
        let texts = LocaleTexts.mail(language)
        return compose(
            to: address, subject: texts.text("resetSubject"),
            paragraphs: [texts.text("resetIntro", ["email": address]), texts.text("resetExpiry")],
            action: (texts.text("resetAction"), link), closing: texts.text("resetIgnore"), texts: texts)
    }

    /// Sent to the new address: the change happens only when its link is opened.
    public static func emailConfirmation(to newAddress: String, link: String, language: WidgetLanguage) -> OutgoingMail {
        let texts = LocaleTexts.mail(language)
        return compose(
            to: newAddress, subject: texts.text("emailSubject"),
            paragraphs: [texts.text("emailIntro", ["email": newAddress]), texts.text("emailExpiry")],
            action: (texts.text("emailAction"), link), closing: texts.text("emailIgnore"), texts: texts)
    }

    /// Sent to the old address once the change is confirmed: a hijacker cannot move the account silently.
    public static func emailChanged(to oldAddress: String, newAddress: String, language: WidgetLanguage) -> OutgoingMail {
        let texts = LocaleTexts.mail(language)
        return compose(
            to: oldAddress, subject: texts.text("emailChangedSubject"), paragraphs: [texts.text("emailChangedBody", ["email": newAddress])],
            action: nil, closing: nil, texts: texts)
    }

    public static func passwordChanged(to address: String, language: WidgetLanguage) -> OutgoingMail {
        let texts = LocaleTexts.mail(language)
        return compose(
            to: address, subject: texts.text("passwordChangedSubject"), paragraphs: [texts.text("passwordChangedBody", ["email": address])],
            action: nil, closing: nil, texts: texts)
    }

    private static func compose(
        to address: String, subject: String, paragraphs: [String], action: (label: String, link: String)?, closing: String?, texts: LocaleTexts
    ) -> OutgoingMail {
        var text = paragraphs.joined(separator: "\n\n")
        if let action { text += "\n\n\(action.label):\n\(action.link)" }
        if let closing { text += "\n\n\(closing)" }
        text += "\n\n\(texts.text("signature"))\n"

        let language = texts.language
        var html = """
            <!DOCTYPE html>
            <html lang="\(language.rawValue)" dir="\(language.direction)">
            <head><meta charset="utf-8"><title>\(escape(subject))</title></head>
            <body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a;max-width:36em">

            """
        for paragraph in paragraphs { html += "<p>\(escape(paragraph))</p>\n" }
        if let action {
            html += """
                <p><a href="\(escape(action.link))" style="display:inline-block;padding:.6em 1.2em;background:#1f5fbf;color:#ffffff;border-radius:6px;text-decoration:none">\(escape(action.label))</a></p>
                <p>\(escape(texts.text("linkFallback")))<br>\(escape(action.link))</p>

                """
        }
        if let closing { html += "<p>\(escape(closing))</p>\n" }
        html += "<p>\(escape(texts.text("signature")))</p>\n</body>\n</html>\n"
        return OutgoingMail(to: address, subject: subject, text: text, html: html)
    }

    static func escape(_ text: String) -> String { HTMLEscape.text(text) }
}
