#include "Reply.h"
#include "Clock.h"

namespace Loket {

Fields fieldsOf(const Request& r)
{
    Fields f;
    if (r.productValid && r.destValid)
    {
        f["kodeproduk"] = r.product;
        f["tujuan"] = r.dest;
    }
    f["refid"] = r.refId;
    f["qty"] = std::to_string(r.qty);
    return f;
}

Fields fieldsOf(const Transaction& t)
{
    return {{"kodeproduk", t.product},
            {"tujuan", t.dest},
            {"refid", t.refId},
            {"harga", formatRupiah(t.price)},
            {"sn", t.sn},
            {"keterangan", t.note},
            {"trxid", std::to_string(t.id)},
            {"qty", std::to_string(t.qty)},
            {"nama", t.billName},
            {"tagihan", formatRupiah(t.billAmount)},
            {"admin", formatRupiah(t.billAdmin)},
            {"periode", t.billPeriod}};
}

Fields badParameterFields(const Request& r, const std::string& parameter)
{
    Fields f = fieldsOf(r);
    f["keterangan"] = parameter;
    return f;
}

Reply render(const Templates& templates, const Outcome& o, const Request& request)
{
    if (!o.frozenText.empty())
        return {o.frozenText, o.rc, "", o.hasTransaction ? std::to_string(o.transaction.id) : ""};
    Fields fields = o.hasTransaction ? fieldsOf(o.transaction) : fieldsOf(request);
    if (!o.badParameter.empty()) fields["keterangan"] = o.badParameter;
    if (o.balance >= 0)
    {
        fields["saldo"] = formatRupiah(o.balance);
        fields["waktu"] = Clock::format(Clock::now());
    }
    Reply reply{templates.render(o.rc, request.action, fields), o.rc, ""};
    if (o.hasTransaction) reply.trxId = std::to_string(o.transaction.id);   // issue 13: the request log names it
    return reply;
}

} // namespace Loket
