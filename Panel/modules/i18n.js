// English and Polish texts of the panel. The choice is remembered in localStorage (a preference,
// not a secret: the session itself lives only in an HttpOnly cookie).

const texts = {
  en: {
    language: "Language", skipToContent: "Skip to content", privacy: "Privacy", terms: "Terms",
    navEvents: "Events", navNew: "New event", navSettings: "Settings", navSignOut: "Sign out",
    signInTitle: "Sign in", signUpTitle: "Create your account", email: "E-mail", password: "Password",
    passwordHint: "At least 8 characters. Long passphrases welcome.", fullName: "Your name (optional)",
    signIn: "Sign in", signUp: "Create account", noAccount: "No account yet?", haveAccount: "Already registered?",
    signUpLink: "Create one", signInLink: "Sign in", signedOut: "You are signed out.",
    eventsTitle: "Your events", emptyEvents: "No events yet. Create your first webinar, style its widget, and paste the embed code into your page.",
    newEvent: "New event", clicks: "clicks", editEvent: "Edit event", createEvent: "Create event",
    title: "Title", description: "Description", start: "Starts", end: "Ends", timezone: "Time zone",
    timezoneHint: "Times are entered and shown in this zone.", webinarUrl: "Webinar link", save: "Save", saved: "Saved.",
    created: "Event created. Its widget is live.", delete: "Delete event", confirmDelete: "Delete this event, its widget and its statistics? This cannot be undone. Subscribed calendars are told it is cancelled; to keep the event and its statistics, cancel it instead.",
    cancel: "Cancel", deleted: "Event deleted.", designer: "Widget design", preview: "Live preview",
    theme: "Theme", accent: "Accent colour", textColor: "Text colour", background: "Background colour",
    buttonStyle: "Button style", radius: "Corner radius (px)", font: "Font", providers: "Buttons and order",
    labels: "Button labels", widgetLanguage: "Widget language", showDescription: "Show description",
    reminder: "Reminder (minutes before)", inherit: "Default", yes: "Yes", no: "No", up: "Move up", down: "Move down",
    light: "Light", dark: "Dark", auto: "Follow the visitor's system", filled: "Filled", outline: "Outline",
    colourHint: "#RRGGBB, empty for the default.", contrastLow: "Low contrast: {pair} is {ratio}:1; WCAG AA needs 4.5:1.",
    pairText: "text on background", pairAccent: "accent on background",
    embed: "Embed", embedHint: "Paste this into your page where the buttons should appear.", copy: "Copy code",
    copied: "Copied to the clipboard.", liveWidget: "Open the live widget", icsFile: "Download the .ics file",
    stats: "Statistics", total: "Total clicks", byProvider: "Clicks per provider", perDay: "Views and clicks per day",
    from: "From", to: "To", apply: "Show", csv: "Download CSV", chartLabel: "Views and clicks per day from {from} to {to}",
    date: "Date", count: "Clicks", provider: "Provider",
    settingsTitle: "Widget defaults", settingsHint: "These apply to every widget unless an event sets its own.",
    saveDefaults: "Save defaults", defaultsSaved: "Defaults saved. Every widget has been updated.",
    notFound: "This page does not exist.", failed: "Something went wrong: {detail}", signInFirst: "Please sign in.",
    statusLabel: "Status", statusScheduled: "Scheduled", statusCancelled: "Cancelled", statusEnded: "Ended",
    statusScheduledHint: "The widget offers its add-to-calendar buttons.",
    statusCancelledHint: "The widget says it is cancelled and offers no add buttons; calendars that added or subscribe to it are told it is cancelled.",
    statusEndedHint: "The widget says it has ended and links to the recording, if you set one.",
    cancelEvent: "Cancel event", confirmCancelEvent: "Cancel this event? The widget will say it is cancelled and stop offering its buttons, and calendars subscribed to it will show it as cancelled. You can reinstate it later.",
    keepEvent: "Keep the event", eventCancelled: "Event cancelled.",
    reinstateEvent: "Reinstate event", confirmReinstateEvent: "Reinstate this event? The widget offers its buttons again and subscribed calendars show it as taking place.",
    keepCancelled: "Keep it cancelled", eventReinstated: "Event reinstated.",
    recordingUrl: "Recording link (optional)", recordingHint: "An http(s) link. Once the event has ended the widget links to it. Leave empty for none.",
    listed: "List in my feed", listedHint: "Calendars subscribed to your organizer feed get this event. Its own feed works either way.",
    eventFeed: "Calendar feed", eventFeedHint: "A calendar subscribed to this address keeps this event up to date: a new time or a cancellation reaches it on its next refresh.",
    eventFeedUrl: "This event's feed", copyLink: "Copy link", copyLinkOf: "Copy link: {name}",
    subscriptions: "Subscriptions", subscriptionsHint: "Your organizer feed: every event listed in your feed, upcoming and from the last 30 days, cancelled ones marked as cancelled. Share one of these links so people can subscribe.",
    feedUrl: "Feed address (for a calendar's “subscribe from URL”)", copiedShort: "Copied", webcalUrl: "Subscribe link (webcal: Apple Calendar, Thunderbird and most desktop calendars)",
    googleSubscribeUrl: "Subscribe in Google Calendar", outlookSubscribeUrl: "Subscribe in Outlook",
    providersHint: "Ticked buttons appear in the widget in this order. The subscribe buttons (off until you tick them) let visitors subscribe to your feed, so later events and changes reach their calendar.",
    subscribeWebcal: "Subscribe: webcal", subscribeGoogle: "Subscribe: Google", subscribeOutlook: "Subscribe: Outlook",
    repeats: "Repeats", repeatsHint: "Starts and Ends above are the first session. Every session keeps that local time in the event's time zone, across daylight-saving changes too.",
    frequency: "Frequency", freqNone: "Does not repeat (one-off)", freqDaily: "Daily", freqWeekly: "Weekly", freqMonthly: "Monthly",
    every: "Every", unitDaily_one: "day", unitDaily_other: "days", unitWeekly_one: "week", unitWeekly_other: "weeks",
    unitMonthly_one: "month", unitMonthly_other: "months",
    onDays: "On these days", onDaysHint: "The first session's day must be one of them.", onMonthly: "On which day of the month",
    monthDay: "Day {day} of the month", nthWeekday: "The {ordinal} {weekday} of the month", asSaved: "As saved: {value}",
    ordinal1: "first", ordinal2: "second", ordinal3: "third", ordinal4: "fourth", "ordinal-1": "last",
    ends: "Ends", endsAfter: "After", sessionsUnit_one: "session", sessionsUnit_other: "sessions", countLabel: "Number of sessions",
    endsOn: "On", untilLabel: "Date of the last session",
    sessionsIn: "Sessions ({zone})", previewNeedsTimes: "Enter the start, the end and a valid time zone to see the sessions.",
    previewLoading: "Updating the sessions…", andMore: "and {n} more", showAll: "Show all", showFewer: "Show fewer",
    skip: "Skip", firstSession: "first session", previewRefused: "No sessions to show: {reason}",
    sessionsHeld_one: "{n} session takes place", sessionsHeld_other: "{n} sessions take place", skippedCount: "{n} skipped",
    pastSessions_one: "{n} earlier session is over.", pastSessions_other: "{n} earlier sessions are over.",
    series: "Series", nextSession: "Next session", seriesOver: "All sessions are over.", listNext: "Next",
    statsSeriesHint: "The statistics count the whole series: all its sessions share one widget and its buttons.",
    navOverview: "Overview", overviewTitle: "Overview",
    overviewHint: "Views, unique visitors and clicks of all your events on the chosen days (days as in {zone}). Open an event for its funnel, days and placements.",
    sortBy: "Sort by", order: "Order", orderDesc: "Descending", orderAsc: "Ascending", perPage: "Events per page",
    sortTitle: "Title", sortStart: "Start date", views: "Views", uniqueVisitors: "Unique visitors", clicksLabel: "Clicks",
    conversion: "Conversion", event: "Event", noViews: "no views yet",
    overviewCaption: "Events from {from} to {to}, sorted by {sort}, {order}",
    overviewChartTitle: "The page's top events", overviewTableTitle: "All events",
    overviewChartLabel: "Views and clicks of the first {n} events on this page as bars; the table below has the same numbers.",
    overviewEmpty: "No events yet.", pageRange: "Events {first}–{last} of {total}",
    previousPage: "Previous page", nextPage: "Next page", pagination: "Pages",
    uniqueHint: "Unique visitors are estimated per UTC day without cookies (usually within 1.6%, at most 5% + 1 off); someone who comes back on another day counts on each day.",
    clickCount_one: "{n} click", clickCount_other: "{n} clicks", viewCount_one: "{n} view", viewCount_other: "{n} views", ofViews: "{rate} of views",
    funnelTitle: "From views to clicks", funnelHint: "How many of the widget's views led to a click on each button.",
    timelineTable: "The numbers per day", byPlacementCaption: "Views and clicks per placement",
    placement: "Placement", noPlacementStats: "No placements yet: add one above to see where views and clicks come from.",
    placements: "Placements",
    placementsHint: "A placement is one place where you embed the widget: a page, a blog post, a newsletter. Each has its own embed code, so the statistics tell the places apart. The embed code above counts for the event only.",
    placementName: "Name of a new placement", placementNameHint: "For example homepage or newsletter; up to 80 characters, each name once.",
    addPlacement: "Add placement", placementAdded: "Placement “{name}” added.",
    placementExists: "This event already has a placement with this name (upper and lower case count as the same).",
    placementNameRequired: "Enter a name.", placementCode: "Embed code: {name}", placementUrl: "Widget address: {name}",
    placementCodeResponsive: "Full-width embed code: {name}", embedResponsive: "Full-width embed code (the container's width, up to 560 px)",
    copyCodeOf: "Copy code: {name}", deletePlacement: "Delete placement", deletePlacementOf: "Delete placement: {name}",
    confirmDeletePlacement: "Delete the placement “{name}”? Its embed code stops working at once. Its past views and clicks stay in the event's totals.",
    placementDeleted: "Placement “{name}” deleted.", placementsEmpty: "No placements yet.",
  },
  pl: {
    language: "Język", skipToContent: "Przejdź do treści", privacy: "Prywatność", terms: "Regulamin",
    navEvents: "Wydarzenia", navNew: "Nowe wydarzenie", navSettings: "Ustawienia", navSignOut: "Wyloguj",
    signInTitle: "Logowanie", signUpTitle: "Załóż konto", email: "E-mail", password: "Hasło",
    passwordHint: "Co najmniej 8 znaków. Długie hasła mile widziane.", fullName: "Imię i nazwisko (opcjonalnie)",
    signIn: "Zaloguj", signUp: "Załóż konto", noAccount: "Nie masz konta?", haveAccount: "Masz już konto?",
    signUpLink: "Załóż je", signInLink: "Zaloguj się", signedOut: "Wylogowano.",
    eventsTitle: "Twoje wydarzenia", emptyEvents: "Nie masz jeszcze wydarzeń. Utwórz pierwszy webinar, dopasuj wygląd widżetu i wklej kod na swoją stronę.",
    newEvent: "Nowe wydarzenie", clicks: "kliknięć", editEvent: "Edycja wydarzenia", createEvent: "Utwórz wydarzenie",
    title: "Tytuł", description: "Opis", start: "Początek", end: "Koniec", timezone: "Strefa czasowa",
    timezoneHint: "Godziny wpisujesz i widzisz w tej strefie.", webinarUrl: "Link do webinaru", save: "Zapisz", saved: "Zapisano.",
    created: "Wydarzenie utworzone. Widżet już działa.", delete: "Usuń wydarzenie", confirmDelete: "Usunąć to wydarzenie, jego widżet i statystyki? Tego nie da się cofnąć. Subskrybujące kalendarze dostaną informację o odwołaniu; żeby zachować wydarzenie i statystyki, odwołaj je zamiast usuwać.",
    cancel: "Anuluj", deleted: "Wydarzenie usunięte.", designer: "Wygląd widżetu", preview: "Podgląd na żywo",
    theme: "Motyw", accent: "Kolor akcentu", textColor: "Kolor tekstu", background: "Kolor tła",
    buttonStyle: "Styl przycisków", radius: "Zaokrąglenie rogów (px)", font: "Czcionka", providers: "Przyciski i kolejność",
    labels: "Etykiety przycisków", widgetLanguage: "Język widżetu", showDescription: "Pokaż opis",
    reminder: "Przypomnienie (minut przed)", inherit: "Domyślnie", yes: "Tak", no: "Nie", up: "W górę", down: "W dół",
    light: "Jasny", dark: "Ciemny", auto: "Jak w systemie odwiedzającego", filled: "Wypełnione", outline: "Obramowane",
    colourHint: "#RRGGBB, puste = domyślny.", contrastLow: "Niski kontrast: {pair} to {ratio}:1; WCAG AA wymaga 4,5:1.",
    pairText: "tekst na tle", pairAccent: "akcent na tle",
    embed: "Osadzanie", embedHint: "Wklej to na swojej stronie tam, gdzie mają być przyciski.", copy: "Kopiuj kod",
    copied: "Skopiowano do schowka.", liveWidget: "Otwórz widżet", icsFile: "Pobierz plik .ics",
    stats: "Statystyki", total: "Wszystkie kliknięcia", byProvider: "Kliknięcia według kalendarza", perDay: "Wyświetlenia i kliknięcia dziennie",
    from: "Od", to: "Do", apply: "Pokaż", csv: "Pobierz CSV", chartLabel: "Wyświetlenia i kliknięcia dziennie od {from} do {to}",
    date: "Data", count: "Kliknięcia", provider: "Kalendarz",
    settingsTitle: "Domyślny wygląd widżetu", settingsHint: "Dotyczy każdego widżetu, chyba że wydarzenie ma własne ustawienia.",
    saveDefaults: "Zapisz ustawienia", defaultsSaved: "Zapisano. Wszystkie widżety zostały zaktualizowane.",
    notFound: "Ta strona nie istnieje.", failed: "Coś poszło nie tak: {detail}", signInFirst: "Zaloguj się.",
    statusLabel: "Status", statusScheduled: "Zaplanowane", statusCancelled: "Odwołane", statusEnded: "Zakończone",
    statusScheduledHint: "Widżet pokazuje przyciski dodawania do kalendarza.",
    statusCancelledHint: "Widżet informuje o odwołaniu i nie pokazuje przycisków; kalendarze, które je dodały lub subskrybują, dostaną informację o odwołaniu.",
    statusEndedHint: "Widżet informuje, że wydarzenie się zakończyło, i podaje link do nagrania, jeśli go ustawisz.",
    cancelEvent: "Odwołaj wydarzenie", confirmCancelEvent: "Odwołać to wydarzenie? Widżet poinformuje o odwołaniu i przestanie pokazywać przyciski, a subskrybujące kalendarze pokażą je jako odwołane. Możesz je później przywrócić.",
    keepEvent: "Nie odwołuj", eventCancelled: "Wydarzenie odwołane.",
    reinstateEvent: "Przywróć wydarzenie", confirmReinstateEvent: "Przywrócić to wydarzenie? Widżet znów pokaże przyciski, a subskrybujące kalendarze pokażą je jako aktualne.",
    keepCancelled: "Zostaw odwołane", eventReinstated: "Wydarzenie przywrócone.",
    recordingUrl: "Link do nagrania (opcjonalnie)", recordingHint: "Link http(s). Po zakończeniu wydarzenia widżet do niego prowadzi. Puste = brak nagrania.",
    listed: "Pokaż w moim kanale", listedHint: "Kalendarze subskrybujące Twój kanał organizatora dostaną to wydarzenie. Jego własny kanał działa niezależnie od tego.",
    eventFeed: "Kanał kalendarza", eventFeedHint: "Kalendarz subskrybujący ten adres ma zawsze aktualne wydarzenie: nowy termin lub odwołanie dotrze do niego przy następnym odświeżeniu.",
    eventFeedUrl: "Kanał tego wydarzenia", copyLink: "Kopiuj link", copyLinkOf: "Kopiuj link: {name}",
    subscriptions: "Subskrypcje", subscriptionsHint: "Twój kanał organizatora: każde wydarzenie pokazywane w kanale, nadchodzące i z ostatnich 30 dni, odwołane oznaczone jako odwołane. Udostępnij jeden z tych linków, żeby można je było subskrybować.",
    feedUrl: "Adres kanału (do opcji „subskrybuj z adresu URL” w kalendarzu)", copiedShort: "Skopiowano", webcalUrl: "Link do subskrypcji (webcal: Kalendarz Apple, Thunderbird i większość kalendarzy na komputer)",
    googleSubscribeUrl: "Subskrypcja w Kalendarzu Google", outlookSubscribeUrl: "Subskrypcja w Outlooku",
    providersHint: "Zaznaczone przyciski pojawią się w widżecie w tej kolejności. Przyciski subskrypcji (wyłączone, dopóki ich nie zaznaczysz) pozwalają subskrybować Twój kanał, więc kolejne wydarzenia i zmiany same trafią do kalendarza.",
    subscribeWebcal: "Subskrypcja: webcal", subscribeGoogle: "Subskrypcja: Google", subscribeOutlook: "Subskrypcja: Outlook",
    repeats: "Powtarzanie", repeatsHint: "Początek i koniec powyżej to pierwsze spotkanie. Każde spotkanie zaczyna się o tej samej godzinie w strefie czasowej wydarzenia, także po zmianie czasu na letni lub zimowy.",
    frequency: "Częstotliwość", freqNone: "Nie powtarza się (jednorazowe)", freqDaily: "Codziennie", freqWeekly: "Co tydzień", freqMonthly: "Co miesiąc",
    every: "Co", unitDaily_one: "dzień", unitDaily_few: "dni", unitDaily_many: "dni", unitDaily_other: "dnia",
    unitWeekly_one: "tydzień", unitWeekly_few: "tygodnie", unitWeekly_many: "tygodni", unitWeekly_other: "tygodnia",
    unitMonthly_one: "miesiąc", unitMonthly_few: "miesiące", unitMonthly_many: "miesięcy", unitMonthly_other: "miesiąca",
    onDays: "W te dni", onDaysHint: "Dzień pierwszego spotkania musi być wśród nich.", onMonthly: "W który dzień miesiąca",
    monthDay: "{day}. dnia miesiąca", nthWeekday: "W {ordinal} {weekday} miesiąca", asSaved: "Jak zapisano: {value}",
    ends: "Koniec serii", endsAfter: "Po", sessionsUnit_one: "spotkaniu", sessionsUnit_other: "spotkaniach", countLabel: "Liczba spotkań",
    endsOn: "W dniu", untilLabel: "Data ostatniego spotkania",
    sessionsIn: "Spotkania ({zone})", previewNeedsTimes: "Podaj początek, koniec i poprawną strefę czasową, żeby zobaczyć spotkania.",
    previewLoading: "Aktualizuję listę spotkań…", andMore: "i {n} więcej", showAll: "Pokaż wszystkie", showFewer: "Pokaż mniej",
    skip: "Pomiń", firstSession: "pierwsze spotkanie", previewRefused: "Brak spotkań do pokazania: {reason}",
    sessionsHeld_one: "Odbędzie się {n} spotkanie", sessionsHeld_few: "Odbędą się {n} spotkania", sessionsHeld_many: "Odbędzie się {n} spotkań",
    sessionsHeld_other: "Odbędzie się {n} spotkania", skippedCount: "pominięte: {n}",
    pastSessions_other: "Spotkania, które już się odbyły: {n}.",
    series: "Seria", nextSession: "Następne spotkanie", seriesOver: "Wszystkie spotkania już się odbyły.", listNext: "Następne",
    statsSeriesHint: "Statystyki obejmują całą serię: wszystkie jej spotkania mają jeden widżet i te same przyciski.",
    navOverview: "Przegląd", overviewTitle: "Przegląd",
    overviewHint: "Wyświetlenia, unikalni odwiedzający i kliknięcia wszystkich Twoich wydarzeń w wybranych dniach (dni w strefie {zone}). Otwórz wydarzenie, żeby zobaczyć lejek, dni i miejsca osadzenia.",
    sortBy: "Sortuj według", order: "Kolejność", orderDesc: "Malejąco", orderAsc: "Rosnąco", perPage: "Wydarzeń na stronie",
    sortTitle: "Tytuł", sortStart: "Data rozpoczęcia", views: "Wyświetlenia", uniqueVisitors: "Unikalni odwiedzający", clicksLabel: "Kliknięcia",
    conversion: "Konwersja", event: "Wydarzenie", noViews: "brak wyświetleń",
    overviewCaption: "Wydarzenia od {from} do {to}, według: {sort}, {order}",
    overviewChartTitle: "Najpopularniejsze na tej stronie", overviewTableTitle: "Wszystkie wydarzenia",
    overviewChartLabel: "Wyświetlenia i kliknięcia pierwszych wydarzeń tej strony (liczba: {n}) jako słupki; te same liczby są w tabeli poniżej.",
    overviewEmpty: "Nie masz jeszcze wydarzeń.", pageRange: "Wydarzenia {first}–{last} z {total}",
    previousPage: "Poprzednia strona", nextPage: "Następna strona", pagination: "Strony",
    uniqueHint: "Unikalnych odwiedzających szacujemy dla każdego dnia UTC, bez ciasteczek (zwykle z dokładnością do 1,6%, najwyżej o 5% + 1); kto wróci innego dnia, liczy się w każdym z tych dni.",
    clickCount_one: "{n} kliknięcie", clickCount_few: "{n} kliknięcia", clickCount_many: "{n} kliknięć", clickCount_other: "{n} kliknięcia",
    viewCount_one: "{n} wyświetlenie", viewCount_few: "{n} wyświetlenia", viewCount_many: "{n} wyświetleń", viewCount_other: "{n} wyświetlenia",
    ofViews: "{rate} wyświetleń",
    funnelTitle: "Od wyświetleń do kliknięć", funnelHint: "Jaka część wyświetleń widżetu skończyła się kliknięciem każdego przycisku.",
    timelineTable: "Liczby dla każdego dnia", byPlacementCaption: "Wyświetlenia i kliknięcia według miejsca osadzenia",
    placement: "Miejsce", noPlacementStats: "Brak miejsc osadzenia: dodaj je wyżej, żeby zobaczyć, skąd są wyświetlenia i kliknięcia.",
    placements: "Miejsca osadzenia",
    placementsHint: "Miejsce osadzenia to jedno miejsce, w którym wklejasz widżet: strona, wpis na blogu, newsletter. Każde ma własny kod, więc statystyki pokazują je osobno. Kod osadzenia powyżej liczy się tylko dla całego wydarzenia.",
    placementName: "Nazwa nowego miejsca", placementNameHint: "Na przykład strona-glowna albo newsletter; do 80 znaków, każda nazwa raz.",
    addPlacement: "Dodaj miejsce", placementAdded: "Dodano miejsce „{name}”.",
    placementExists: "To wydarzenie ma już miejsce o tej nazwie (wielkość liter nie ma znaczenia).",
    placementNameRequired: "Podaj nazwę.", placementCode: "Kod do osadzenia: {name}", placementUrl: "Adres widżetu: {name}",
    placementCodeResponsive: "Kod na całą szerokość: {name}", embedResponsive: "Kod na całą szerokość (szerokość kontenera, do 560 px)",
    copyCodeOf: "Kopiuj kod: {name}", deletePlacement: "Usuń miejsce", deletePlacementOf: "Usuń miejsce: {name}",
    confirmDeletePlacement: "Usunąć miejsce „{name}”? Jego kod przestanie działać od razu. Dotychczasowe wyświetlenia i kliknięcia zostaną w sumach wydarzenia.",
    placementDeleted: "Usunięto miejsce „{name}”.", placementsEmpty: "Nie ma jeszcze miejsc osadzenia.",
  },
};

let current = ["en", "pl"].includes(localStorage.getItem("attendify.language"))
  ? localStorage.getItem("attendify.language")
  : (navigator.language || "en").toLowerCase().startsWith("pl") ? "pl" : "en";

export function language() {
  return current;
}

export function setLanguage(code) {
  current = texts[code] ? code : "en";
  localStorage.setItem("attendify.language", current);
  document.documentElement.lang = current;
}

/** t("contrastLow", {ratio: 2.1}) */
export function t(key, values = {}) {
  const template = texts[current][key] ?? texts.en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

/**
 * t() for a text that depends on a number: `{key}_{category}` with the language's plural category
 * (Intl.PluralRules: English one/other, Polish one/few/many), falling back to `{key}_other`.
 * Polish needs three forms ("2 tygodnie", "5 tygodni"), so a single "s" rule would not do.
 */
export function tn(key, n, values = {}) {
  const category = new Intl.PluralRules(current).select(n);
  const keys = [`${key}_${category}`, `${key}_other`];
  // The panel's language first: Polish may word a number with one form where English has two.
  const chosen = keys.find((k) => k in texts[current]) ?? keys.find((k) => k in texts.en);
  return t(chosen ?? key, { n, ...values });
}

/** The locale for Intl formatting in the panel's language. */
export function locale() {
  return current === "pl" ? "pl-PL" : "en-US";
}
