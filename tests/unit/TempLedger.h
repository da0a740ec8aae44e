#pragma once
// A ledger of a test's own: a temporary SQLite file with the schema and the
// default templates installed.  Fixtures derive from it and add partners,
// orders or settings (settings that only the code under test reads may be
// set after the ledger is open: Database reads only the database.* ones).
#include "Database.h"
#include "Schema.h"
#include <Poco/TemporaryFile.h>
#include <memory>

struct TempLedger
{
    Poco::TemporaryFile file;
    Loket::Config config;
    std::unique_ptr<Loket::Database> db;

    TempLedger()
    {
        config.databaseConnect = file.path();
        // Beside the ledger, every connection maps this (WriteLockWaiters):
        // removed with the ledger when the test program ends.
        Poco::TemporaryFile::registerForDeletion(file.path() + "-waiters");
        db = std::make_unique<Loket::Database>(config);
        Loket::Schema::install(*db, LOKET_SQL_DIR);
    }
};
