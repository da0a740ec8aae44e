#define BOOST_TEST_MODULE loket core
#include <boost/test/unit_test.hpp>
