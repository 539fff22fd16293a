// Image tests encode real photos: on a loaded 2-core machine they outlast jest's 5 s default.
jest.setTimeout(30000);
