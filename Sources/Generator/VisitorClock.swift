/// The one script of the public pages: where scripts run, it adds the event's time in the
/// visitor's own zone ("Your time: …") under the event-zone time, which stays the page's truth
/// with scripts off. It reads everything from the page (`<time datetime data-end data-zone>` and
/// its paragraph's `data-label`), so its bytes are the same in every widget and the CSP admits
/// it by hash (`PagePolicy`), never by `'unsafe-inline'`. It shows nothing when both zones give
/// the same wall-clock text, and fails silent in browsers without `Intl.DateTimeFormat.formatRange`.
public enum VisitorClock {
    public static let script = #"(function(){var d=document,t=d.querySelector("time[data-zone]");if(!t||!window.Intl)return;try{var z=Intl.DateTimeFormat().resolvedOptions().timeZone,h=t.dataset.zone;if(!z||z==h)return;var s=new Date(t.dateTime),e=new Date(t.dataset.end),l=d.documentElement.lang,f=function(x){return new Intl.DateTimeFormat(l,{timeZone:x,weekday:"short",day:"numeric",month:"short",hour:"numeric",minute:"2-digit"}).formatRange(s,e)},v=f(z);if(v==f(h))return;var w=t.parentNode,p=d.createElement("p");p.className="local";p.textContent=w.dataset.label+": "+v+" ("+z.replace(/_/g," ")+")";w.after(p)}catch(x){}})();"#

    /// `'sha256-…'` of `script`, checked against the script by `VisitorClockTests`.
    public static let cspSource = "'sha256-yIu/MvZ3MO+ELnWZ58AjunZMoFs/Xsezwgap3trkM1Q='"
}
