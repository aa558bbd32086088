import type { EmulatorRequest, Reply } from '../shared/http';

/** The ARM error shape, `{ error: { code, message } }`. */
export function armError(status: number, code: string, message: string): Reply {
  return { status, body: { error: { code, message } } };
}

/**
 * App Service's own error shape (PascalCase, with details), as it answers a PUT whose body lacks the
 * `properties` object (azure-rest-api-specs issues #14557 and #29701).
 */
export function missingPropertiesError(): Reply {
  const message = 'Properties object is not present in the request body.';
  return {
    status: 400,
    body: {
      Code: 'BadRequest',
      Message: message,
      Target: null,
      Details: [
        { Message: message },
        { Code: 'BadRequest' },
        {
          ErrorEntity: {
            ExtendedCode: '51006',
            MessageTemplate: '{0} object is not present in the request body.',
            Parameters: ['Properties'],
            Code: 'BadRequest',
            Message: message,
          },
        },
      ],
      Innererror: null,
    },
  };
}

export function ok(body: unknown, headers?: Record<string, string>): Reply {
  return { status: 200, body, ...(headers === undefined ? {} : { headers }) };
}

export function notFound(type: string, name: string, resourceGroup: string): Reply {
  return armError(
    404,
    'ResourceNotFound',
    `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}

export function notImplemented(request: EmulatorRequest): Reply {
  return armError(
    501,
    'NotImplemented',
    `The ARM emulator does not implement ${request.method} ${request.rawPath}.`,
  );
}
