import Core
import Foundation
import Testing

/// The account mails: every language has every text with the same placeholders, and the bodies
/// carry the link and escape what they quote.
@Suite struct AccountMailTests {
    static let keys: Set<String> = [
        "resetSubject", "resetIntro", "resetAction", "resetExpiry", "resetIgnore", "emailSubject", "emailIntro", "emailAction",
        "emailExpiry", "emailIgnore", "emailChangedSubject", "emailChangedBody", "passwordChangedSubject", "passwordChangedBody",
        "linkFallback", "signature",
    ]

    static func placeholders(_ text: String) -> Set<String> {
        Set(text.matches(of: /\{[a-z]+\}/).map { String($0.output) })
    }

    @Test(arguments: WidgetLanguage.allCases)
    func everyLanguageHasEveryMailText(_ language: WidgetLanguage) {
        let texts = LocaleTexts.mail(language)
        let english = LocaleTexts.mail(.en)
        #expect(english.keys == Self.keys)
        #expect(texts.keys == Self.keys, "\(language): missing \(Self.keys.subtracting(texts.keys).sorted()), extra \(texts.keys.subtracting(Self.keys).sorted())")
        for key in Self.keys {
            #expect(Self.placeholders(texts.text(key)) == Self.placeholders(english.text(key)), "\(language).\(key) changed its placeholders")
            #expect(!texts.text(key).trimmingCharacters(in: .whitespaces).isEmpty)
        }
    }

    @Test func aResetMailCarriesItsLinkInBothPartsAndEscapesTheAddress() {
        let link = "https://attendify.example.com/?token=abc_DEF-123#/reset-password"
        let mail = AccountMail.passwordReset(to: "o'brien<x>@example.com", link: link, language: .de)
        #expect(mail.subject == LocaleTexts.mail(.de).text("resetSubject"))
        #expect(mail.text.contains(link) && mail.html.contains(link))
        #expect(mail.html.contains("o&#39;brien&lt;x&gt;@example.com") && !mail.html.contains("<x>"))
        #expect(mail.html.contains(#"lang="de""#))
        let arabic = AccountMail.emailConfirmation(to: "a@example.com", link: link, language: .ar)
        #expect(arabic.html.contains(#"dir="rtl""#))
        #expect(AccountMail.passwordChanged(to: "a@example.com", language: .en).text.contains("a@example.com"))
    }
}
