#include "ServicePool.h"
#include "Bell.h"
#include "Metrics.h"
#include <iostream>

namespace Loket {

ServicePool::ServicePool(const Config& config) : _config(config), _waiter(config)
{
    // PostgreSQL shares WAL flushes between concurrent commits by itself, and
    // a shared transaction there would hold many partners' row locks at once.
    if (config.groupCommit && config.databaseConnector == "sqlite") _group = std::make_unique<CommitGroup>(config);
    for (int i = 0; i < config.poolConnections; ++i)
    {
        _slots.push_back(std::make_unique<Slot>());
        _free.push_back(_slots.back().get());
    }
}

ServicePool::Slot* ServicePool::borrow()
{
    Slot* slot;
    {
        std::unique_lock<std::mutex> lock(_mutex);
        _freed.wait(lock, [&] { return !_free.empty(); });
        slot = _free.back();
        _free.pop_back();
        // After a write refused as read-only (Database::stale): every free
        // connection opened before it closes now, not when next used, so
        // that none of them keeps the process's read-only WAL index alive.
        for (Slot* idle : _free) closeIfStale(*idle);
        closeIfStale(*slot);
    }
    auto now = std::chrono::steady_clock::now();
    if (!slot->service && now - slot->lastOpen >= std::chrono::seconds(1))
    {
        // If the ledger cannot be opened (PostgreSQL down), the worker stays
        // up and answers RC 99: dying would make its supervisor give up.
        slot->lastOpen = now;
        try
        {
            slot->db = std::make_unique<Database>(_config);
            slot->service = std::make_unique<Service>(_config, *slot->db, _group.get());
        }
        catch (const std::exception& e)
        {
            slot->service.reset();
            slot->db.reset();
            slot->openError = "cannot open the ledger: " + redactSecrets(e.what());
            std::cerr << "loket: " << slot->openError << "\n";
        }
    }
    return slot;
}

void ServicePool::closeIfStale(Slot& slot)
{
    if (!slot.db || !slot.db->stale()) return;
    slot.service.reset();
    slot.db.reset();
    slot.lastOpen = {};   // opened again at once when next borrowed
}

void ServicePool::giveBack(Slot* slot)
{
    {
        std::lock_guard<std::mutex> lock(_mutex);
        closeIfStale(*slot);
        _free.push_back(slot);
    }
    _freed.notify_one();
}

Reply ServicePool::health()
{
    Slot* slot = borrow();
    Reply reply{"FAIL ledger-down\n" + slot->openError + "\n", "99", slot->openError};
    reply.httpStatus = 503;
    if (slot->service) reply = slot->service->health();
    giveBack(slot);
    return reply;
}

Reply ServicePool::metrics()   // issue 13
{
    Slot* slot = borrow();
    Reply reply = metricsReply(_config, slot->service ? slot->db.get() : nullptr);
    giveBack(slot);
    return reply;
}

Reply ServicePool::supplierReport(const std::string& code, const SupplierReportRequest& request)
{
    Slot* slot = borrow();
    Reply reply{"RETRY", "", slot->openError};
    reply.httpStatus = 503;
    if (slot->service) reply = slot->service->supplierReport(code, request);
    giveBack(slot);
    return reply;
}

Reply ServicePool::answer(const std::string& endpoint, const std::string& query, const std::string& templatesVersion,
                          Request& parsed, const std::string& remoteAddr)
{
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(_config.replyWaitMs);
    Awaiting awaiting;
    Reply reply;
    Slot* slot = borrow();
    if (!slot->service)
        reply = Service::unavailable(endpoint, query, parsed, slot->openError);
    else
    {
        if (!templatesVersion.empty()) slot->service->useTemplateVersion(templatesVersion);
        reply = slot->service->handle(endpoint, query, parsed, awaiting, remoteAddr);
    }
    giveBack(slot);
    if (!awaiting.any()) return reply;

    // Committed: wake the dispatcher on this host, then wait with nothing held.
    Bell::ring(_config.dispatcherSocket);
    if (awaiting.order) _waiter.waitOrder(awaiting.order, deadline);
    else _waiter.waitInquiry(awaiting.inquiry, deadline);

    slot = borrow();
    if (slot->service) reply = slot->service->finish(awaiting);
    else
    {
        Request ignored;
        reply = Service::unavailable(endpoint, query, ignored, slot->openError);
        // Queued and debited: unknown to us now, never "failed".
        if (awaiting.order) reply.rc = "68";
    }
    giveBack(slot);
    return reply;
}

} // namespace Loket
