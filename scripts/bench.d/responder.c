/* The limit Loket's balance path is measured against (scripts/bench): a bare
 * libfcgi responder, FCGX_Accept_r and one FCGX_PutStr of a balance-shaped
 * reply, behind the same nginx on the same socket. */
#include <fcgiapp.h>
#include <string.h>

int main(void)
{
    static const char reply[] = "Status: 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 37\r\n\r\n"
                                "saldo=1000000000000  @ 2026-11-30 12:";
    FCGX_Request request;
    FCGX_Init();
    FCGX_InitRequest(&request, 0, 0);
    while (FCGX_Accept_r(&request) >= 0)
    {
        FCGX_PutStr(reply, (int)strlen(reply), request.out);
        FCGX_Finish_r(&request);
    }
    return 0;
}
